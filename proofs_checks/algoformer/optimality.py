r"""Why "beats CG" is the bar for a learned loop (spec A9 and §7.3 [derived]).

T loops of the LSA-GD construction give :math:`w_T = \eta\sum_{k<T}(I-\eta S)^k b`, a polynomial of degree
T - 1 in S applied to b, i.e. a point of the Krylov space :math:`\mathcal K_T = \mathrm{span}\{b, Sb, \ldots,
S^{T-1}b\}`. Conjugate gradient from 0 minimises the S-norm error :math:`\|w - w^+\|_S` over exactly that space,
so at every T and for every step size

.. math::  \|w^{CG}_T - w^+\|_S \le \|w^{GD}_T - w^+\|_S,

with :math:`w^+ = S^+b` (the S-seminorm when S is singular; both iterates stay in range(S)). Any T-loop method
whose loop is linear in the residual (every LSA-GD variant) is bounded the same way, so a trained loop that
beats CG at equal T must use something else (nonlinearity, or T loops that do more than one Krylov step).

The package's CG (:func:`attnlab.theory.algoformer.baselines.cg_iterates`) is also held to its definition: its
error must equal the minimum over :math:`\mathcal K_T`, computed independently from an orthonormal Krylov basis
(:func:`_krylov_optimum`), so ``rhs`` is the smaller of the GD error and that optimum. (Without it, CG with the
:math:`\beta` term dropped, i.e. steepest descent, still beat GD on every instance tried.)
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.algoformer import strategies as S
from attnlab.proofs_checks.algoformer.instances import Regression, spectrum
from attnlab.proofs_checks.algoformer.loops import quietly, stable_hypotheses
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.algoformer import baselines as bl
from attnlab.theory.algoformer.gd_step import gd_loop_predictions

__all__ = ["cg_dominates_gd_loop"]


def _s_norm(S_, e) -> float:
    return float(np.sqrt(max(e @ S_ @ e, 0.0)))


def _krylov_optimum(S_, b, w_plus, T: int) -> float:
    r"""min over :math:`w \in \mathcal K_T` of :math:`\|w - w^+\|_S`: Arnoldi with full reorthogonalisation, then the
    S-orthogonal projection of :math:`w^+` onto the basis (a small least-squares problem)."""
    basis = []
    v = b.copy()
    for _ in range(T):
        for _ in range(2):
            for q in basis:
                v = v - (q @ v) * q
        nv = float(np.linalg.norm(v))
        if nv <= 1e-13 * max(float(np.linalg.norm(b)), 1e-300):
            break
        basis.append(v / nv)
        v = S_ @ basis[-1]
    if not basis:
        return _s_norm(S_, w_plus)
    Qb = np.array(basis).T
    c = np.linalg.lstsq(Qb.T @ S_ @ Qb, Qb.T @ (S_ @ w_plus), rcond=None)[0]
    return _s_norm(S_, Qb @ c - w_plus)


def _dominance(r: Regression, off_by_one: bool) -> Comparison:
    S_, b = r.S_b()
    w_plus = np.linalg.pinv(S_) @ b
    T = max(r.T, 1)
    # the GD iterate as the looped construction produces it: -(query slot) with the query set to each basis vector
    d = r.X.shape[1]
    w_gd = np.array([gd_loop_predictions(r.X, r.y, np.eye(d)[k], r.eta, T)[-1] for k in range(d)])
    w_cg = bl.cg_iterates(S_, b, T)[T - 1 if off_by_one else T]
    lhs = _s_norm(S_, w_cg - w_plus)
    rhs = min(_s_norm(S_, w_gd - w_plus), _krylov_optimum(S_, b, w_plus, T))
    scale = _s_norm(S_, w_plus)
    return Comparison(lhs, rhs, TOL.loop_agreement.allowance(scale) * max(1.0, spectrum(r.X)[2]))


@empirical_claim(
    "algoformer/cg-dominates-gd-loop",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#cg-dominates (the bar for arXiv:2402.13572v1, abstract: 'the designed transformer has the "
    "potential to be smarter than human-designed algorithms')",
    statement=r"For every $T \ge 1$ and $0 < \eta < 2/\lambda_{\max}$: $\|w^{CG}_T - w^+\|_S \le \min(\|w^{GD}_T - w^+\|_S, \min_{w\in\mathcal K_T}\|w - w^+\|_S)$, $w^{GD}_T$ read from $T$ loops of the LSA-GD construction (a degree-$(T-1)$ Krylov polynomial), $w^+ = S^+b$",
    strategy=S.regressions(T=(1, 12), cond=(0.0, 1.0)),
    check_hypotheses=lambda r: stable_hypotheses(r.X, r.frac, r.y, r.xq),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("off-by-one: CG after T - 1 steps compared with T GD loops", evaluate=quietly(lambda r: _dominance(r, True))),
    positive=S.well_posed(T=(1, 12)),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$", r"$T \ge 1$"),
)
def cg_dominates_gd_loop(r: Regression) -> Comparison:
    return _dominance(r, False)
