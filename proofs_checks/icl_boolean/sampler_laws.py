r"""Sampler laws of the official samplers (satwik77/incontext-bool ``src/bool_tasks.py``); derivations in
``proofs_checks/icl_boolean/DERIVATIONS.md``.

* ``label-balance``: one label per prompt (the last point, so labels are independent across prompts) has
  :math:`P(y = +1)` equal to the closed form of :mod:`attnlab.theory.icl_boolean.closed_forms`
  (e.g. :math:`0.3 + 0.7 \cdot 0.85^n` for conjunctions), by an exact two-sided binomial test. A searched
  instance tests every closed-form task at its n (Bonferroni over the tasks), so a wrong closed form that shows
  only at small n (parity's :math:`-2^{-(n+1)}`) cannot hide behind the draw of (task, n) pairs.
* ``disjunction-duality``: :math:`\mathrm{disj}_w(x) = -\mathrm{conj}_w(-x)` on every sampled point, and the
  two samplers are mirror images in law: :math:`P_{dis}(y=-1) = P_{con}(y=+1)` (two-sample exact test).
* ``forced-fraction``: from labels and the drawn functions only, :math:`\hat q = (\bar s - 2^{-k})/(1 - 2^{-k})`
  per prompt (s = the point satisfies the forced term, or falsifies the forced clause) is unbiased for the
  forcing probability q (0.3 / 0.35 / 0.4); its mean over prompts matches q (normal test on the means).
* ``teaching-prefix``: the first :math:`\min(L, N)` points of every ``*_teach`` prompt are the per-example
  teaching rows of its function (:mod:`attnlab.theory.icl_boolean.reference_loop`), and the prefix labels are
  positive exactly on the positive teaching rows.
"""

from __future__ import annotations

import math

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.icl_boolean.stats import binomial_surprise, surprise_comparison, z_surprise
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import functions as Fn
from attnlab.theory.icl_boolean import sample_task
from attnlab.theory.icl_boolean._bits import full_mask, popcount, random_points, unpack_bool
from attnlab.theory.icl_boolean.closed_forms import CLOSED_FORM_TASKS, p_plus
from attnlab.theory.icl_boolean.reference_loop import teaching_rows_loop
from attnlab.theory.icl_boolean.tasks import FORCE_P, label

sps = lazy_module("scipy.stats")

_TEST = "tests/checks/test_icl_boolean_claims.py"
_DIMS = (3, 5, 7, 11, 28)
_M = 10_000  # prompts per task and label-balance instance


def _drop_negated_forcing(d, rng):
    """Planted bug: forced points keep their negated-literal coordinates uniform (a dropped term)."""
    neg = d.params["neg"]
    noise = random_points(rng, d.n_dims, d.xp.shape) & neg[:, None]
    xp = np.where(d.forced, (d.xp & ~neg[:, None]) | noise, d.xp)
    d.xp, d.y = xp, label(d.task, xp, d.params, d.n_dims)
    return d


EVERY_TASK = "*"  # an instance's task: every closed-form task at the instance's n


def _balance_tasks(inst: Prompts) -> tuple[str, ...]:
    if inst.task != EVERY_TASK:
        return (inst.task,)
    return tuple(t for t in CLOSED_FORM_TASKS if t != "sparse_disjunction" or inst.n >= 4)


def _balance(inst: Prompts, bug: bool = False) -> Comparison:
    """One exact binomial test per task (Bonferroni over the tasks tested at this n)."""
    tasks = _balance_tasks(inst)
    worst = 0.0
    for j, task in enumerate(tasks):
        d = sample_task(task, inst.n, inst.points, inst.batch, inst.seed + j, start_idx=max(1, inst.points - 2))
        if bug and "neg" in d.params and d.forced is not None and d.params["neg"].ndim == 1:
            d = _drop_negated_forcing(d, np.random.default_rng(inst.seed + j))
        k = int((d.y[:, -1] > 0).sum())
        worst = max(worst, binomial_surprise(k, inst.batch, p_plus(task, inst.n)))
    return surprise_comparison(worst, len(tasks))


@empirical_claim(
    "icl_boolean/label-balance",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#label-balance",
    statement=r"$P(y=+1)$ of every task equals its closed form, e.g. $0.3 + 0.7\cdot 0.85^n$ (conjunction), "
    r"$1 - (0.3 + 0.7/16)$ (sparse disjunction), $0.35 + 0.65(3\cdot0.9^n - 3\cdot0.81^n + 0.729^n)$ (3-DNF)",
    strategy=prompts((EVERY_TASK,), _DIMS, (2,), _M),
    check_hypotheses=lambda inst: [] if inst.task != "sparse_disjunction" or inst.n >= 4 else ["n < 4"],
    tolerance=TOL.inequality,
    negative=NegativeControl("forced points keep their negated-literal coordinates uniform (dropped term)",
                             evaluate=lambda inst: _balance(inst, bug=True),
                             strategy=prompts(("conjunction", "disjunction"), (5, 7), (3,), _M)),
    positive=prompts((EVERY_TASK,) + CLOSED_FORM_TASKS, (5, 7, 11), (3,), _M),  # n >= 4 for every task
    hypotheses=("the official samplers' laws", "one label per prompt (independent prompts)"),
    test=_TEST,
)
def label_balance(inst: Prompts) -> Comparison:
    return _balance(inst)


def _buggy_disjunction(xp, pos, neg):
    """Planted bug: a disjunction over the positive literals only (negated literals dropped)."""
    return Fn.disjunction(xp, pos, np.zeros_like(neg))


def _duality(inst: Prompts, disj=None) -> Comparison:
    disj = disj or Fn.disjunction
    dd = sample_task("disjunction", inst.n, inst.points, inst.batch, inst.seed)
    dc = sample_task("conjunction", inst.n, inst.points, inst.batch, inst.seed + 1)
    pos, neg = dd.params["pos"][:, None], dd.params["neg"][:, None]
    lhs_lab = disj(dd.xp, pos, neg)
    rhs_lab = -Fn.conjunction(dd.xp ^ full_mask(inst.n), pos, neg)
    violations = int((lhs_lab != rhs_lab).sum())
    a, b = int((dd.y[:, -1] < 0).sum()), int((dc.y[:, -1] > 0).sum())
    pv = sps.fisher_exact([[a, inst.batch - a], [b, inst.batch - b]]).pvalue
    surprise = -math.log10(max(pv, 1e-300)) + (math.inf if violations else 0.0)
    return surprise_comparison(surprise, 1)


@empirical_claim(
    "icl_boolean/disjunction-duality",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#disjunction-duality",
    statement=r"$\mathrm{disj}_w(x) = -\mathrm{conj}_w(-x)$ pointwise, and $P_{dis}(y=-1) = P_{con}(y=+1)$",
    strategy=prompts(("disjunction",), (3, 5, 7, 11), (9,), 4_000),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.inequality,
    negative=NegativeControl("disjunction labeller drops the negated literals", evaluate=lambda inst: _duality(
        inst, _buggy_disjunction)),
    positive=prompts(("disjunction",), (5, 7, 11), (9,), 4_000),
    hypotheses=("the same literal vector w for both classes",),
    test=_TEST,
)
def disjunction_duality(inst: Prompts) -> Comparison:
    return _duality(inst)


def _forced_fraction(inst: Prompts, flip_polarity: bool = False) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed)
    p = d.params
    B, N = d.xp.shape
    if "cid" in p:
        pos, neg = p["pos"][np.arange(B), p["cid"]], p["neg"][np.arange(B), p["cid"]]
    else:
        pos, neg = p["pos"], p["neg"]
    m = pos | neg
    target = neg if inst.task in ("disjunction", "sparse_disjunction", "cnf3") else pos
    xp = d.xp
    if flip_polarity:  # planted bug: forced points get the opposite value on the forced literals' coordinates
        xp = np.where(d.forced, (xp & ~m[:, None]) | (m & ~target)[:, None], xp)
    hit = (xp & m[:, None]) == target[:, None]
    after = np.ones((B, N), dtype=bool) if d.teach_len is None else np.arange(N)[None] >= d.teach_len[:, None]
    k = popcount(m)
    use = (k >= 1) & (after.sum(axis=1) >= 1)
    frac = (hit & after).sum(axis=1)[use] / after.sum(axis=1)[use]
    base = np.exp2(-k[use].astype(float))
    qhat = (frac - base) / (1 - base)
    q = FORCE_P[inst.task]
    z = (qhat.mean() - q) / (qhat.std(ddof=1) / math.sqrt(qhat.size))
    return surprise_comparison(z_surprise(z), 1)


@empirical_claim(
    "icl_boolean/forced-fraction",
    locator="satwik77/incontext-bool src/bool_tasks.py, sample_xs: 'np.random.choice([0, 1], p=[0.7, 0.3])' (Conjunction, Disjunction, SparseDisjunction, CNF), 'p=[0.65, 0.35]' (DNF, TeachDNF), 'p=[0.6, 0.4]' (TeachConjunction, TeachBiConjunction); estimator: proofs_checks/icl_boolean/DERIVATIONS.md#forced-fraction",
    provenance="src",
    statement=r"the fraction of forced points is $q$ = 0.3 (conjunction, disjunction, sparse disjunction, CNF), "
    r"0.35 (DNF, teach DNF), 0.4 (teach conjunctions): $\mathbb E[(\bar s - 2^{-k})/(1-2^{-k})] = q$",
    strategy=prompts(tuple(FORCE_P), lambda t: (5, 7, 11) if t != "dnf3_teach" else (5, 7), (37,), 3_000),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.inequality,
    negative=NegativeControl(
        "forcing writes the opposite polarity on the literal coordinates (x_i = -1 where the term needs +1)",
        evaluate=lambda inst: _forced_fraction(inst, flip_polarity=True),
        strategy=prompts(("conjunction", "disjunction", "dnf3"), (5, 7), (37,), 3_000)),
    positive=prompts(tuple(FORCE_P), (5, 7), (37,), 3_000),
    hypotheses=("forcing is independent per point", "k >= 1 (k = 0 carries no information)"),
    test=_TEST,
)
def forced_fraction(inst: Prompts) -> Comparison:
    return _forced_fraction(inst)


_KIND = {"mono_conjunction_teach": "monotone", "conjunction_teach": "general", "dnf3_teach": "dnf"}


def _shifted_prefix(d):
    """Planted bug: the teaching rows are written one position late (an off-by-one in the prefix writer)."""
    from attnlab.theory.icl_boolean import teaching as T

    rows, L = (T.general_rows(d.params["pos"], d.params["neg"], d.n_dims) if d.task == "conjunction_teach"
               else T.dnf_rows(d.params["pos"], d.n_dims) if d.task == "dnf3_teach" else T.mono_rows(d.params["pos"], d.n_dims))
    xp = d.xp.copy()
    xp[:, 1:] = T.overwrite_prefix(d.xp[:, 1:], rows, L)
    d.xp, d.y = xp, label(d.task, xp, d.params, d.n_dims)
    return d


def _prefix(inst: Prompts, bug: bool = False) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed)
    if bug:
        d = _shifted_prefix(d)
    pos = unpack_bool(d.params["pos"], d.n_dims).astype(int)
    neg = unpack_bool(d.params["neg"], d.n_dims).astype(int)
    W = pos - neg
    X = d.X
    bad = 0
    for b in range(inst.batch):
        rows = np.array(teaching_rows_loop(list(W[b]) if d.task == "dnf3_teach" else W[b], _KIND[d.task]))
        L = min(len(rows), inst.points)
        bad += int(np.any(X[b, :L] != rows[:L]))
        if d.task != "dnf3_teach":  # positives: row 0 (and row 1 for general conjunctions), then negatives
            npos = 2 if d.task == "conjunction_teach" else 1
            expect = np.where(np.arange(L) < npos, 1, -1)
            bad += int(np.any(d.y[b, :L] != expect))
    return Comparison(float(bad), 0.0, TOL.float64_exact.allowance(0.0))


@empirical_claim(
    "icl_boolean/teaching-prefix",
    locator="satwik77/incontext-bool src/bool_tasks.py, TeachConjunction/TeachBiConjunction/TeachDNF.sample_xs: 'ex = len(tidx) + 1' (monotone), 'ex = len(pidx) + len(nidx) + 2' (general), 'xs_b[b, 0:ex, :] = new_ex' with '# idx = torch.randperm(len(new_ex))' commented out",
    provenance="src",
    statement=r"the first $\min(L, N)$ points of a teaching prompt are the teaching sequence of its function "
    r"($L = k+1$, $k+2$, $\sum_i (k_i + 1)$), labelled + on the positive rows and - on the others",
    strategy=prompts(tuple(_KIND), (3, 5, 7, 11), (13, 40), 64),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("teaching rows written one position late", evaluate=lambda inst: _prefix(inst, True)),
    positive=prompts(tuple(_KIND), (5, 7, 11), (13, 40), 64),
    hypotheses=("teaching rows placed first, unshuffled (as in the official code)",),
    test=_TEST,
)
def teaching_prefix(inst: Prompts) -> Comparison:
    return _prefix(inst)
