r"""Why "beats CG" is the bar for a learned loop (spec A9 and §7.3 [derived]).

T loops of the LSA-GD construction give :math:`w_T = \eta\sum_{k<T}(I-\eta S)^k b`, a polynomial of degree
T - 1 in S applied to b, i.e. a point of the Krylov space :math:`\mathcal K_T = \mathrm{span}\{b, Sb, \ldots,
S^{T-1}b\}`. Conjugate gradient from 0 minimises the S-norm error :math:`\|w - w^+\|_S` over exactly that space,
so at every T and for every step size

.. math::  \|w^{CG}_T - w^+\|_S \le \|w^{GD}_T - w^+\|_S,

with :math:`w^+ = S^+b` (the S-seminorm when S is singular; both iterates stay in range(S)). Any T-loop method
whose loop is linear in the residual (every LSA-GD variant) is bounded the same way, so a trained loop that
beats CG at equal T must use something else (nonlinearity, or T loops that do more than one Krylov step).
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


def _dominance(r: Regression, off_by_one: bool) -> Comparison:
    S_, b = r.S_b()
    w_plus = np.linalg.pinv(S_) @ b
    T = max(r.T, 1)
    # the GD iterate as the looped construction produces it: -(query slot) with the query set to each basis vector
    d = r.X.shape[1]
    w_gd = np.array([gd_loop_predictions(r.X, r.y, np.eye(d)[k], r.eta, T)[-1] for k in range(d)])
    w_cg = bl.cg_iterates(S_, b, T)[T - 1 if off_by_one else T]
    lhs, rhs = _s_norm(S_, w_cg - w_plus), _s_norm(S_, w_gd - w_plus)
    scale = _s_norm(S_, w_plus)
    return Comparison(lhs, rhs, TOL.loop_agreement.allowance(scale) * max(1.0, spectrum(r.X)[2]))


@empirical_claim(
    "algoformer/cg-dominates-gd-loop",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#cg-dominates (the bar for arXiv:2402.13572v1, abstract: 'the designed transformer has the "
    "potential to be smarter than human-designed algorithms')",
    statement=r"For every $T \ge 1$ and $0 < \eta < 2/\lambda_{\max}$: $\|w^{CG}_T - w^+\|_S \le \|w^{GD}_T - w^+\|_S$, $w^{GD}_T$ read from $T$ loops of the LSA-GD construction (a degree-$(T-1)$ Krylov polynomial), $w^+ = S^+b$",
    strategy=S.regressions(T=(1, 12), cond=(0.0, 1.0)),
    check_hypotheses=lambda r: stable_hypotheses(r.X, r.frac, r.y, r.xq),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("off-by-one: CG after T - 1 steps compared with T GD loops", evaluate=quietly(lambda r: _dominance(r, True))),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$", r"$T \ge 1$"),
)
def cg_dominates_gd_loop(r: Regression) -> Comparison:
    return _dominance(r, False)
