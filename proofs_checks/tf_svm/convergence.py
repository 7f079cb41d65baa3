r"""Directional convergence: global GD under equal scores (Thm 2), local GD from the cone around a locally
optimal $\alpha$ fixed beforehand (Thm 4), and the Frobenius / nuclear regularisation paths (Thm 1).
Theorem numbers and wording unverified (spec 3.3, 3.7, 3.9). Finite-time checks at ``TOL.direction``.
"""

from __future__ import annotations

import itertools

import numpy as np

from proofs_checks.record import Comparison
from proofs_checks.registry import NegativeControl, empirical_claim
from proofs_checks.tf_svm import strategies as S
from theory._tolerances import TOL
from theory.attention_direction import correlation
from theory.attention_gd import GdConfig, grad_w, run_gd_w
from theory.attention_model import attention_probs, optimal_tokens, selection_margins
from theory.attention_regpath import regularization_path_point
from theory.attention_svm import locally_optimal, solve_att_svm

_LOC = "unverified"
_NGD = GdConfig(steps=1500, eta=0.1)
_SMALL = ((2, 3, 5), (2, 4, 3))


def _global_hyp(d: S.Drawn) -> list[str]:
    inst = d.inst
    opt, unique = optimal_tokens(inst.X, inst.v, inst.Y)
    if not unique.all():
        return ["optimal token not unique"]
    sol = solve_att_svm(inst.X, inst.Z, opt)
    if not sol.optimal:
        return [f"Att-SVM(opt) status {sol.status}"]
    W0 = 0.1 * np.random.default_rng(d.seed).normal(size=sol.W.shape)
    G = grad_w(inst.X, inst.Z, inst.v, inst.Y, W0)[1]
    return [] if np.sum(G * sol.W) < 0 else ["<grad L(W0), W^mm> >= 0 at the initialisation"]


def _global_eval(d: S.Drawn, wrong_alpha: bool = False) -> Comparison:
    inst = d.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    target = opt.copy()
    if wrong_alpha:  # mutant: predicts the SVM of a non-optimal token in input 0
        target[0] = (target[0] + 1) % inst.shape[1]
    Wm = solve_att_svm(inst.X, inst.Z, target).W
    W0 = 0.1 * np.random.default_rng(d.seed).normal(size=Wm.shape)
    W = run_gd_w(inst.X, inst.Z, inst.v, inst.Y, W0, _NGD).W
    return Comparison(1.0 - correlation(W, Wm), 0.0, TOL.direction.allowance(1.0))


@empirical_claim(
    "tf_svm/global-convergence-equal-scores", locator=_LOC, provenance="unverified",
    statement=r"Assumption B (equal non-optimal scores), $\langle\nabla\mathcal{L}(W_0), W^{mm}\rangle < 0$ $\Rightarrow W_k/\|W_k\| \to W^{mm}/\|W^{mm}\|$ (NGD, 1500 steps)",
    hypotheses=("Assumption B", "unique optimal tokens", "Att-SVM(opt) feasible", "<grad L(W0), W^mm> < 0"),
    strategy=S.equal_score_instances(), check_hypotheses=_global_hyp, tolerance=TOL.direction,
    negative=NegativeControl("predicts W^mm of a non-optimal token", evaluate=lambda d: _global_eval(d, True)),
)
def global_convergence(d: S.Drawn) -> Comparison:
    return _global_eval(d)


def _pick_alpha(d: S.Drawn, want_local: bool):
    """First alpha != opt in [T]^n order that is (want_local) locally optimal / (not) feasible-but-not-locally-optimal."""
    inst = d.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    for alpha in itertools.product(range(inst.shape[1]), repeat=inst.shape[0]):
        if np.array_equal(alpha, opt):
            continue
        lo = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, np.array(alpha))
        if want_local and lo.status == "locally-optimal":
            return lo
        if not want_local and lo.status == "not-locally-optimal":
            return lo
    return None


def _local_hyp(d: S.Drawn) -> list[str]:
    return [] if _pick_alpha(d, True) is not None else ["no locally-optimal alpha other than opt"]


def _local_eval(d: S.Drawn, want_local: bool = True) -> Comparison:
    inst = d.inst
    lo = _pick_alpha(d, want_local)
    if lo is None:
        return Comparison(np.inf, 0.0, 0.0)
    Wm = lo.svm.W
    rng = np.random.default_rng(d.seed)
    W0 = 5.0 * Wm + 0.01 * np.linalg.norm(Wm) * rng.normal(size=Wm.shape)  # in the cone, margins ~5
    W = run_gd_w(inst.X, inst.Z, inst.v, inst.Y, W0, _NGD).W
    kept = np.array_equal(np.argmax(attention_probs(inst.X, W, inst.Z), axis=1), lo.alpha)
    gap = 1.0 - correlation(W, Wm) if kept else 1.0
    return Comparison(gap, 0.0, TOL.direction.allowance(1.0))


@empirical_claim(
    "tf_svm/local-convergence-cone", locator=_LOC, provenance="unverified",
    statement=r"$\alpha$ locally optimal (fixed before the run), $W_0$ in the cone around $W^{mm}_\alpha$ $\Rightarrow$ NGD keeps $\alpha$ and $W_k/\|W_k\| \to W^{mm}_\alpha/\|W^{mm}_\alpha\|$",
    hypotheses=("a locally-optimal alpha != opt exists (enumerated)",),
    strategy=S.instances_with_alpha(_SMALL), check_hypotheses=_local_hyp, tolerance=TOL.direction,
    negative=NegativeControl("alpha feasible but NOT locally optimal (a support token scores higher)",
                             evaluate=lambda d: _local_eval(d, False)),
)
def local_convergence(d: S.Drawn) -> Comparison:
    return _local_eval(d)


def _path_hyp(d: S.Drawn) -> list[str]:
    opt, unique = optimal_tokens(d.inst.X, d.inst.v, d.inst.Y)
    if not unique.all():
        return ["optimal token not unique"]
    return [] if solve_att_svm(d.inst.X, d.inst.Z, opt).optimal else ["Att-SVM(opt) infeasible"]


def _path_eval(d: S.Drawn, norm: str, wrong_alpha: bool = False) -> Comparison:
    r"""At $R = 20\|W^{mm}_\diamond\|_\diamond$: $1 - \mathrm{corr}(\bar W_R, W^{mm}_\diamond)$ (spec 3.3 tolerance).

    Nuclear: also the normalised min margin $\rho = \min_{it} m_{it}(\bar W_R)\|W^{mm}_\star\|_*/\|\bar W_R\|_* \le 1$,
    which tends to 1 whichever nuclear minimiser the solver returns (pitfall 4); at this finite R it lags,
    so only its excess over ``TOL.finite_r_margin_lag`` counts against the claim."""
    inst = d.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    alpha = opt.copy()
    if wrong_alpha:
        alpha[0] = (alpha[0] + 1) % inst.shape[1]
    sol = solve_att_svm(inst.X, inst.Z, alpha, norm)
    if not sol.optimal:
        return Comparison(np.inf, 0.0, 0.0)
    R = 20.0 * sol.objective
    Wr = regularization_path_point(inst.X, inst.Z, inst.v, inst.Y, R, norm, restarts=3, steps=150,
                                   seed=d.seed, W_init=sol.W)
    if norm == "nuc":  # margins, robust to a non-unique nuclear solution (pitfall 4), plus direction
        size = float(np.linalg.svd(Wr, compute_uv=False).sum())
        rho = float(np.min(selection_margins(inst.X, inst.Z, Wr, alpha))) * sol.objective / size
        details_gap = 1.0 - rho
    else:
        details_gap = 0.0
    rho = correlation(Wr, sol.W) - max(details_gap - TOL.finite_r_margin_lag.atol, 0.0)
    return Comparison(1.0 - rho, 0.0, TOL.direction.allowance(1.0))


for _norm, _name, _stmt in (
    ("fro", "frobenius", r"$\bar W_R/R \to W^{mm}/\|W^{mm}\|_F$, $\bar W_R = \arg\min_{\|W\|_F\le R}\mathcal{L}$"),
    ("nuc", "nuclear", r"$\bar K_R\bar Q_R^\top/R \to W^{mm}_\star/\|W^{mm}_\star\|_*$ (the nuclear-ball path)"),
):
    empirical_claim(
        f"tf_svm/regularization-path-{_name}", locator=_LOC, provenance="unverified", statement=_stmt,
        hypotheses=("unique optimal tokens", "Att-SVM(opt) feasible"),
        strategy=S.instances_with_alpha(_SMALL[:1]), check_hypotheses=_path_hyp, tolerance=TOL.direction,
        negative=NegativeControl("compares with the SVM of a non-optimal token",
                                 evaluate=lambda d, n=_norm: _path_eval(d, n, True)),
    )(lambda d, n=_norm: _path_eval(d, n))
