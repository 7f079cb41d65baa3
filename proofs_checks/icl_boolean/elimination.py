r"""Literal elimination is one-sided (derived: ``proofs_checks/icl_boolean/DERIVATIONS.md#elimination-one-sided``).

On noise-free prompts of a conjunction task, the most specific consistent conjunction (literal elimination)

1. never predicts +1 on a negative example (dually, for disjunctions, never -1 on a positive);
2. keeps every literal of the target (a positive example never falsifies a target literal);
3. predicts correctly wherever the version space of its hypothesis class (all :math:`3^n` conjunctions, or the
   :math:`2^n` monotone ones for monotone tasks; disjunctions for the dual) is a single hypothesis, once one
   positive (dual: negative) example has been seen in the general class. Without it the claim is false: at
   :math:`n = 2`, target :math:`x_1 \wedge x_2`, negatives (+,-), (-,+), (-,-) leave one consistent conjunction, yet
   elimination still holds all four literals and says - on (+,+) (:func:`singleton_counterexample`).

4. the package's predictions (``elimination_predict``) equal the most specific consistent hypothesis computed
   independently from cumulative AND/OR of the informative examples (:func:`_most_specific`).

lhs = number of violations over the batch, rhs = 0 (exact). Positive-control family: the elimination tasks'
own samplers (noise-free labels, target inside the learner's class by construction).
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import functions as Fn
from attnlab.theory.icl_boolean import sample_task
from attnlab.theory.icl_boolean._bits import full_mask
from attnlab.theory.icl_boolean.baselines import ELIMINATION_FORM, elimination_predict, elimination_state
from attnlab.theory.icl_boolean.hypotheses import all_conjunctions

_DIMS = lambda t: (4, 5, 6) if t == "sparse_disjunction" else (3, 5, 6)  # noqa: E731


def _version_space_size(d, form):
    """Number of hypotheses of the learner's class consistent with each prefix, ``(B, N)``."""
    pos, neg = all_conjunctions(d.n_dims)
    if form == "monotone":
        keep = neg == 0
        pos, neg = pos[keep], neg[keep]
    f = Fn.disjunction if form == "dual" else Fn.conjunction
    B, N = d.xp.shape
    alive = np.ones((B, pos.size), dtype=bool)
    size = np.empty((B, N), dtype=np.int64)
    for i in range(N):
        size[:, i] = alive.sum(axis=1)
        alive &= f(d.xp[:, i][:, None], pos[None], neg[None]) == d.y[:, i][:, None]
    return size


def _seen_informative(y, form):
    """``(B, N)``: an example that deletes literals (a positive; dual: a negative) was seen before each position.

    Monotone elimination starts inside its class, so it needs none."""
    if form == "monotone":
        return np.ones(y.shape, dtype=bool)
    hit = (y < 0) if form == "dual" else (y > 0)
    before = np.cumsum(hit, axis=1) - hit
    return before > 0


def singleton_counterexample():
    """The n = 2 prompt on which the version space is a singleton but elimination (no positive yet) errs.

    Returns ``(xp, y, version_space_size, elimination_prediction)``, each ``(1, 4)``."""
    from types import SimpleNamespace

    xp = np.array([[0b01, 0b10, 0b00, 0b11]], dtype=np.uint64)  # (+,-), (-,+), (-,-), (+,+)
    y = Fn.conjunction(xp, np.uint64(0b11), np.uint64(0)).astype(np.int8)
    size = _version_space_size(SimpleNamespace(n_dims=2, xp=xp, y=y), "general")
    return xp, y, size, elimination_predict(xp, y, 2, "general")


def _most_specific(xp, y, n, form):
    r"""Independent reference, ``(B, N)``: the most specific consistent hypothesis from cumulative bitwise AND/OR of
    the informative examples seen before each position (no incremental deletion). General: positive literals
    = bits set in every earlier positive, negated literals = bits clear in every earlier positive; monotone:
    the positive ones only; dual (disjunctions): the same over the earlier negatives with polarities swapped.
    Without an informative example every literal survives."""
    full = full_mask(n)
    hit = (y < 0) if form == "dual" else (y > 0)
    ones = np.where(hit, xp, full)
    zeros = np.where(hit, ~xp & full, full)
    B = xp.shape[0]
    all_one = np.concatenate([np.full((B, 1), full), np.bitwise_and.accumulate(ones, axis=1)[:, :-1]], axis=1)
    all_zero = np.concatenate([np.full((B, 1), full), np.bitwise_and.accumulate(zeros, axis=1)[:, :-1]], axis=1)
    if form == "dual":  # a negative deletes the literals it satisfies: x_j survives iff every negative has x_j = -1
        kp, kn = all_zero, all_one
        false = ((xp & kp) == 0) & ((~xp & full & kn) == 0)
        return np.where(false, -1.0, 1.0)
    kp, kn = all_one, (all_zero if form == "general" else np.zeros_like(all_zero))
    return np.where(((xp & kp) == kp) & ((xp & kn) == 0), 1.0, -1.0)


def _check(inst: Prompts, force_form: str | None = None) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed)
    form = ELIMINATION_FORM[inst.task]
    used = force_form or form
    kp, kn = elimination_state(d.xp, d.y, d.n_dims, used)
    pred = elimination_predict(d.xp, d.y, d.n_dims, used)  # the package's learner
    wrong_side = ((pred < 0) & (d.y > 0)) if used == "dual" else ((pred > 0) & (d.y < 0))
    pos, neg = d.params["pos"][:, None], d.params["neg"][:, None]
    lost = ((pos & ~kp) != 0) | ((neg & ~kn) != 0)
    informed = _seen_informative(d.y, form)
    singleton_err = (_version_space_size(d, form) == 1) & informed & (pred != d.y)
    differs = pred != _most_specific(d.xp, d.y, d.n_dims, form)
    bad = int(wrong_side.sum() + lost.sum() + singleton_err.sum() + differs.sum())
    return Comparison(float(bad), 0.0, TOL.float64_exact.allowance(0.0))


@empirical_claim(
    "icl_boolean/elimination-one-sided",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#elimination-one-sided",
    statement=r"literal elimination never predicts + on a negative (dual: - on a positive), keeps every target "
    r"literal, is exact once the version space is a singleton and (general class) a positive was seen, and "
    r"predicts with the most specific hypothesis consistent with the informative examples",
    strategy=prompts(tuple(ELIMINATION_FORM), _DIMS, (11, 23), 96),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("monotone elimination (negated literals forgotten) on general conjunctions",
                             evaluate=lambda inst: _check(inst, "monotone"),
                             strategy=prompts(("conjunction", "conjunction_teach"), (5, 6), (23,), 96)),
    positive=prompts(tuple(ELIMINATION_FORM), lambda t: (5, 6), (17, 23), 96),
    hypotheses=("noise-free labels", "target in the learner's class"),
    test="tests/checks/test_icl_boolean_claims.py",
)
def elimination_one_sided(inst: Prompts) -> Comparison:
    return _check(inst)
