r"""MMTS (arXiv 2306.13596) theorems for the prompt vector $p$ as claims: the regularisation path, global GD
convergence, and local GD convergence from a cone around a locally-optimal $p^{mm}_\alpha$.

Only MMTS's abstract was read: "running gradient descent on p ... converges in direction to a max-margin solution
that separates locally-optimal tokens from non-optimal ones" and "a broader regularization path analysis". Theorem
numbers, the global condition (here: every non-optimal token is a support token of $p^{mm}$, all of them score the
same, and, derived, the constraint rows are pairwise non-obtuse; the first alone and the first two together have
counterexamples, ``DERIVATIONS.md#mmts-global-condition``) and the cone are
recalled, not read: every locator says unverified. GD is the official experiments' normalised GD (float64,
$\eta = 0.1$), not GD with $\eta \le 1/L$.

Instances: :mod:`attnlab.proofs_checks.tf_svm.prompt_families`. Direction gaps at ``TOL.direction``.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm import prompt_families as F
from attnlab.proofs_checks.tf_svm.ladders import LADDER, NGD, upward_variation
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import run_gd_p
from attnlab.theory.tf_svm.attention_model import optimal_tokens, token_scores
from attnlab.theory.tf_svm.attention_svm import locally_optimal_prompt, solve_prompt_svm
from attnlab.theory.tf_svm.prompt_path import prompt_path_point

_ABSTRACT = ("arXiv:2306.13596v4 abstract: 'We prove that running gradient descent on p, or equivalently W, converges "
             "in direction to a max-margin solution that separates locally-optimal tokens from non-optimal ones'")


def _direction_gap(p, target) -> Comparison:
    return Comparison(float(1.0 - correlation(p, target)), 0.0, TOL.direction.allowance(1.0))


def _opt_svm(inst):
    opt, unique = optimal_tokens(inst.X, inst.v, inst.Y)
    return opt, unique, solve_prompt_svm(inst.keys, opt)


def global_hypotheses(pd: F.PromptDraw, global_gd: bool, non_obtuse: bool = True) -> list[str]:
    """Unmet hypotheses of the p claims: opt unique and p-SVM(opt) feasible; for global GD also all-support and
    equal non-optimal scores (recalled), and (``non_obtuse``) pairwise non-obtuse constraint rows (derived)."""
    opt, unique, sol = _opt_svm(pd.inst)
    if not unique.all():
        return ["optimal token not unique"]
    if not sol.optimal:
        return [f"p-SVM(opt) status {sol.status}"]
    if not global_gd:
        return []
    out = []
    if not sol.support[np.isfinite(sol.margins)].all():
        out.append("a non-optimal token is not a support token of p^mm")
    g = token_scores(pd.inst.X, pd.inst.v, pd.inst.Y)
    rest = np.where(np.isfinite(sol.margins), g, np.nan)  # non-optimal tokens' scores
    spread = np.nanmax(rest, axis=1) - np.nanmin(rest, axis=1)
    if np.any(spread > [TOL.inequality.allowance(x) for x in np.nanmax(np.abs(g), axis=1)]):
        out.append("non-optimal tokens' scores not all equal (Assumption B)")
    if not non_obtuse:
        return out
    rows = constraint_rows(pd.inst.keys, opt)
    gram = rows @ rows.T
    if gram.min() < -TOL.inequality.allowance(np.diag(gram).max()):
        out.append("two constraint rows k_opt - k_t form an obtuse angle (derived condition)")
    return out


def constraint_rows(keys, opt) -> np.ndarray:
    r"""The p-SVM's constraint rows $a_{it} = k_{i,\mathrm{opt}_i} - k_{it}$, $t \ne \mathrm{opt}_i$, stacked (N, d')."""
    n, T, _ = keys.shape
    return np.array([keys[i, opt[i]] - keys[i, t] for i in range(n) for t in range(T) if t != opt[i]])


# ---------------------------------------------------------------- regularisation path


def _path(pd: F.PromptDraw, labels: bool = True) -> Comparison:
    inst = pd.inst
    _, _, sol = _opt_svm(inst)
    Y = inst.Y if labels else np.ones_like(inst.Y)  # mutant: the path's loss scores tokens without the labels
    gaps, p = [], sol.W
    for j, c in enumerate(LADDER):  # continuation; the first point also starts from p^mm itself
        p = prompt_path_point(inst.keys, inst.X, inst.v, Y, c * sol.objective, restarts=3 if j == 0 else 0,
                              seed=pd.seed, start=p)
        gaps.append(1.0 - correlation(p, sol.W))
    return Comparison(float(gaps[-1] + upward_variation(gaps)), 0.0, TOL.direction.allowance(1.0))


@empirical_claim(
    "tf_svm/mmts-p-regularization-path",
    locator="unverified: " + _ABSTRACT + " and 'a broader regularization path analysis that establishes the margin "
            "maximizing nature of attention'; theorem number and hypotheses not read",
    provenance="unverified",
    statement=r"$\bar p_R/R \to p^{mm}/\|p^{mm}\|$, $\bar p_R = \arg\min_{\|p\|\le R}\mathcal{L}(p)$, $p^{mm}$ the prompt Att-SVM of the optimal tokens",
    hypotheses=("unique optimal tokens", "p-SVM(opt) feasible"),
    strategy=F.prompt_draws(), positive=F.prompt_draws(), check_hypotheses=lambda pd: global_hypotheses(pd, False),
    tolerance=TOL.direction,
    negative=NegativeControl("the path's loss scores tokens without the labels Y (gamma = X v)",
                             evaluate=lambda pd: _path(pd, labels=False)),
)
def mmts_p_path(pd: F.PromptDraw) -> Comparison:
    r"""$g_R = 1 - \mathrm{corr}(\bar p_R, p^{mm})$ along $R = c\|p^{mm}\|$, $c \in \{10, 20, 40, 80\}$ (continuation;
    the first point from 3 random starts and $p^{mm}$, the best kept): lhs $= g_{80} + $ upward variation of $g$.

    Positive control: random prompt instances with $n(T-1) \le d'$ (p-SVM feasible generically; the labels
    alternate, so the negative control's dropped labels change the optimal tokens). Measured (seeds 0-2 per shape):
    $g_{80}$ from 5e-7 to 1.3e-3, about 1/4 per doubling of R. Without $p^{mm}$ among the starts, 3 random starts
    found the path of another (locally optimal) selection on one of 9 instances ($g = 0.66$ at every R)."""
    return _path(pd)


# ---------------------------------------------------------------- global GD


def small_start(pd: F.PromptDraw) -> np.ndarray:
    """The global-GD claims' start $p_0 \\sim 0.1\\,N(0, I)$ (seeded by the draw)."""
    return 0.1 * np.random.default_rng(pd.seed).normal(size=pd.inst.keys.shape[2])


def _gd(pd: F.PromptDraw, keys_sign: float = 1.0):
    inst = pd.inst
    _, _, sol = _opt_svm(inst)
    res = run_gd_p(keys_sign * inst.keys, inst.X, inst.v, inst.Y, small_start(pd), NGD)  # mutant: softmax(-K p)
    return _direction_gap(res.W, sol.W)


@empirical_claim(
    "tf_svm/mmts-p-global-gd",
    locator="unverified: " + _ABSTRACT + "; the global condition is recalled, not read (the recalled form 'every "
            "non-optimal token a support token of p^mm', which alone has counterexamples: "
            "proofs_checks/tf_svm/DERIVATIONS.md#mmts-global-condition; so do all-support plus equal scores, hence the "
            "derived non-obtuse condition added here) and so is the step size; checked with normalised GD",
    provenance="unverified",
    statement=r"every non-optimal token is a support token of $p^{mm}$, they all score the same, and the constraint rows $a_{it} = k_{i,\mathrm{opt}_i} - k_{it}$ pairwise satisfy $a_{it}^\top a_{j\tau} \ge 0$ (derived) $\Rightarrow$ NGD on $p$ from a small random $p_0$: $p_k/\|p_k\| \to p^{mm}/\|p^{mm}\|$ (1500 steps)",
    hypotheses=("unique optimal tokens", "p-SVM(opt) feasible", "all non-optimal tokens are support tokens",
                "equal non-optimal scores (Assumption B)",
                "constraint rows pairwise non-obtuse (derived: DERIVATIONS.md#mmts-global-condition)"),
    strategy=st.one_of(F.prompt_draws(), F.prompt_draws(F.all_support_instance), F.all_support_draws()),
    positive=F.all_support_draws(), check_hypotheses=lambda pd: global_hypotheses(pd, True),
    tolerance=TOL.direction,
    negative=NegativeControl("attention computed as softmax(-K p) (keys' sign flipped in the model)",
                             evaluate=lambda pd: _gd(pd, -1.0)),
)
def mmts_p_global_gd(pd: F.PromptDraw) -> Comparison:
    r"""$1 - \mathrm{corr}(p_{1500}, p^{mm})$ after NGD ($\eta = 0.1$) from $p_0 \sim 0.1\,N(0, I)$.

    Positive control: :func:`~attnlab.proofs_checks.tf_svm.prompt_families.all_support_instance` with equal
    non-optimal scores and non-obtuse rows (all constraints active at $p^{mm}$, Assumption B and the derived
    condition by construction).

    Finding 2 (counterexample to the recalled hypotheses, all-support *and* equal scores): the random instance
    ``random_prompt_instance(3, 2, 7, 5, seed=261)`` ($T = 2$, so equal non-optimal scores hold trivially; all three
    constraints active at $p^{mm}$) ends at $1 - \mathrm{corr} = 0.513$ after 1500 NGD steps, and the gap *rises*
    with the run (0.508 at 500 steps, 0.515 at 6000; plain GD $\eta = 1$: 0.489, 0.496, 0.4998 at $2\cdot10^3$,
    $2\cdot10^4$, $10^5$ steps). GD selects $\alpha = (1, 1, 0)$ (input 0's optimal token is dropped:
    $a_0^\top p_k \to -\infty$) and aligns with the locally optimal $p^{mm}_\alpha$ ($1 - \mathrm{corr} = 3\cdot10^{-6}$);
    all 50 small random starts do the same. Mechanism: $-\nabla\mathcal{L} = \sum c_{it} a_{it}$ with $c_{it} > 0$ under
    equal scores, and $a_0^\top a_1 = -1.11$: the other inputs' pull lowers input 0's margin until its softmax
    saturates on the wrong token. Not an artefact of finite time or underflow; so the claim carries the derived
    non-obtuse condition (under it every margin $a_{it}^\top p_k$ increases at every step). Whether MMTS's theorem has
    a further condition was not read. The instance is a regression test (``tests/unit/test_tf_svm_mmts_counterexamples.py``).

    Finding: the all-support condition *alone* (as the spec recalls MMTS's condition) is not sufficient. On
    ``all_support_instance(2, 4, 7, 6, seed=3)`` (unequal scores; $\langle\nabla\mathcal{L}(p_0), p^{mm}\rangle
    = -0.079 < 0$) NGD ($\eta$ = 0.1 or 0.01) and plain GD ($\eta = 1/L$ estimate or 1, 20000 steps) all select
    $\alpha = (1, 0) \ne \mathrm{opt} = (0, 0)$ and align with its $p^{mm}_\alpha$ (corr 0.9998); 8 of 120 such
    instances did so (``DERIVATIONS.md#mmts-global-condition``). With equal non-optimal scores added, none did."""
    return _gd(pd)


# ---------------------------------------------------------------- local GD from the cone


def _local_alpha(pd: F.PromptDraw):
    """The drawn alpha, or the first locally optimal alpha != opt in [T]^n order; with its verdict."""
    inst = pd.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    cands = [pd.alpha] if pd.alpha is not None else itertools.product(range(inst.shape[1]), repeat=inst.shape[0])
    for alpha in cands:
        if np.array_equal(alpha, opt):
            continue
        lo = locally_optimal_prompt(inst.keys, inst.X, inst.v, inst.Y, np.array(alpha))
        if lo.is_locally_optimal:
            return lo
    return None


def cone_radius(inst, lo) -> tuple[float, float]:
    r"""Our computed cone radius $c_0$ (in units of $\|p^{mm}_\alpha\|$) and the near-support gap $\delta$.

    $\delta = \min(m_{it} - 1)$ over the *risky* tokens: non-support tokens that score at least the selected one
    (inf if none). At $p = c\,p^{mm}_\alpha$ a risky token carries softmax weight $\approx e^{-c(1+\delta)}$ and
    pulls toward selecting it with force $\propto \Delta_+ = \max(\gamma_{it} - \gamma_{i\alpha_i})$, while the
    support tokens carry $\approx e^{-c}$ and push outward with force $\ge \Delta_- = \min_{t \in \mathcal{T}_i}
    (\gamma_{i\alpha_i} - \gamma_{it})$, each weighted by its input's $|\ell'(u_i)|$ ($u_i \approx \gamma_{i\alpha_i}$);
    the push wins, with a factor $e$ to spare over all $nT$ tokens, once $c \ge c_0 = \max(5, (1 + \log\max(1,
    nT\,\Delta_+/\Delta_-\cdot\rho_{\ell'}))/\delta)$, $\rho_{\ell'} = \max_i|\ell'|/\min_i|\ell'|$ (derived heuristic,
    not the paper's $R_0$)."""
    g = token_scores(inst.X, inst.v, inst.Y)
    n, T = g.shape
    sel = g[np.arange(n), np.asarray(lo.alpha)][:, None]
    sup, m = lo.svm.support, lo.svm.margins
    risky = ~sup & np.isfinite(m) & (g >= sel)
    if not risky.any():
        return 5.0, np.inf
    delta = float(np.min(m[risky] - 1.0))
    push = float(np.min((sel - g)[sup])) if sup.any() else 0.0
    pull = float(np.max((g - sel)[risky]))
    if push <= 0.0:
        return np.inf, delta
    lp = 1.0 / (1.0 + np.exp(sel[:, 0]))  # |l'(u_i)| of the logistic loss at u_i = gamma_{i alpha_i}
    ratio = n * T * (pull / push) * float(lp.max() / lp.min())
    return max(5.0, (1.0 + np.log(max(1.0, ratio))) / delta), delta


#: cone ladder: p0 = c (p^mm_alpha + w ||p^mm_alpha|| xi), xi a random unit vector, w = min(0.1, delta/4) (a cone of
#: width 1 - corr ~ w^2/2 at every radius; a tilt w c must stay below the suppression delta c of the risky tokens),
#: c = c0 2^k (k < 3); the rungs k >= 1 are judged
_RUNGS, _WIDTH, _C_MAX = 3, 0.1, 20.0


def _local_hyp(pd: F.PromptDraw) -> list[str]:
    lo = _local_alpha(pd)
    if lo is None:
        return ["no locally-optimal alpha other than opt"]
    if cone_radius(pd.inst, lo)[0] > _C_MAX:
        return [f"computed cone radius c0 beyond {_C_MAX:g} (float64 logit range with NGD growth)"]
    return []


def _local(pd: F.PromptDraw, flip_constraints: bool = False) -> Comparison:
    inst = pd.inst
    lo = _local_alpha(pd)
    pa = lo.svm.W
    c0, delta = cone_radius(inst, lo)
    width = min(_WIDTH, delta / 4.0)
    rng = np.random.default_rng(pd.seed)
    # mutant: the prediction's SVM with the constraint sign flipped, (k_it - k_{i alpha_i})^T p >= 1
    target = solve_prompt_svm(-inst.keys, lo.alpha).W if flip_constraints else pa
    gaps = []
    for k in range(_RUNGS):  # Theorem: every start beyond R0 converges; rungs 2 c0, 4 c0, 8 c0 are judged
        xi = rng.normal(size=pa.shape)
        p0 = c0 * 2**k * (pa + width * np.linalg.norm(pa) * xi / np.linalg.norm(xi))
        res = run_gd_p(inst.keys, inst.X, inst.v, inst.Y, p0, NGD)
        kept = np.array_equal(np.argmax(np.einsum("ntd,d->nt", inst.keys, res.W), axis=1), lo.alpha)
        gaps.append((1.0 - correlation(res.W, target)) if kept else 1.0)
    return Comparison(float(max(gaps[1:])), 0.0, TOL.direction.allowance(1.0))


@empirical_claim(
    "tf_svm/mmts-p-local-gd",
    locator="unverified: " + _ABSTRACT + "; the cone around p^mm_alpha and its radius are recalled, not read; "
            "checked with normalised GD",
    provenance="unverified",
    statement=r"$\alpha \ne \mathrm{opt}$ locally optimal, $p_0 = c(p^{mm}_\alpha + w\|p^{mm}_\alpha\|\xi)$, $c \in c_0\{2, 4\}$ (computed $c_0 \le 20$), cone width $w = \min(0.1, \delta_\alpha/4)$ $\Rightarrow$ NGD keeps $\alpha$ and $p_k/\|p_k\| \to p^{mm}_\alpha/\|p^{mm}_\alpha\|$",
    hypotheses=("a locally-optimal alpha != opt (drawn or enumerated)", "computed cone radius c0 <= 20"),
    strategy=F.prompt_draws(), positive=F.single_input_local_draws(), check_hypotheses=_local_hyp,
    tolerance=TOL.direction, evaluation_cap=10,  # 3 NGD runs + an enumeration of [T]^n prompt SVMs per instance
    negative=NegativeControl("the prediction's prompt SVM with its constraint sign flipped",
                             evaluate=lambda pd: _local(pd, flip_constraints=True)),
)
def mmts_p_local_gd(pd: F.PromptDraw) -> Comparison:
    r"""Worst over the cone starts $c \in c_0\{2, 4\}$ of $1 - \mathrm{corr}(p_{1500}, p^{mm}_\alpha)$ (1 when
    $\alpha$ was lost). $c_0$ is our computed cone radius (:func:`cone_radius`), not the paper's $R_0$; the start at
    $c_0$ itself is run but not judged (a heuristic's first rung).

    Findings. (1) Our first radius $c_0 = \max(5, 1/\delta)$ was too small: on 11 of 31 applicable random
    instances starts $10^{-4}$ from $p^{mm}_\alpha$ lost $\alpha$ (e.g. prompt(n=3,T=2,d=7,dk=5,seed=5)), because a
    risky token's pull $\Delta_+$ can exceed the support tokens' push $\Delta_-$ by 50x; the radius now carries
    $\log(nT\Delta_+/\Delta_-\cdot\rho_{\ell'})$. (2) The cone width must shrink with $\delta$: on the toy with
    $\gamma_c = 0$ ($\delta = 0.1$, $c_0 = 10$) a start at $c = 20$ tilted 0.09 rad toward token a reached a's
    direction (the tilt $20 \times 0.09$ cancels the suppression $\delta c = 2$); hence $w = \min(0.1, \delta/4)$.
    (3) Wider, fixed cones fail in finite time: width 0.3 (1 - corr ~ 0.045) failed on 13 of 44 random instances at
    some rung of $c_0\{1, 2, 4, 8\}$ (from $\|p_0\| \approx 400$ 1500 NGD steps of 0.1 turn the direction too
    little). (4) With the current rule (36 applicable random instances, seeds 0-24 per shape) the start at $c_0$
    failed on 2 and the start at $2c_0$ on one: prompt(n=2,T=3,d=5,dk=7,seed=9), $\alpha = (0, 0)$, $c_0 = 14.1$,
    which converges from $4c_0$: a counterexample to *our* radius (judged, so a draw of it fails this claim), not to
    the theorem, whose $R_0$ is not given.
    """
    return _local(pd)
