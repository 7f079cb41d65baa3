r"""The Chebyshev baseline is the Chebyshev polynomial (spec A9 "fair baselines"; derived:
``DERIVATIONS.md#chebyshev-polynomial``).

With :math:`S \succ 0`, spectrum bounds :math:`\lambda_{lo} = \lambda_{\min}(S)`, :math:`\lambda_{hi} = \lambda_{\max}(S)`,
:math:`\theta = (\lambda_{hi} + \lambda_{lo})/2`, :math:`\delta = (\lambda_{hi} - \lambda_{lo})/2`, the Chebyshev
iteration from :math:`w_0 = 0` (:func:`attnlab.theory.algoformer.baselines.chebyshev_iterates`) has error

.. math::  w_t - w^* = p_t(S)\,(w_0 - w^*), \qquad p_t(\lambda) = \frac{T_t((\theta - \lambda)/\delta)}{T_t(\theta/\delta)},

:math:`w^* = S^{-1}b`, at every t, so :math:`\|w_t - w^*\|_S \le \|w^*\|_S / T_t(\theta/\delta)`. The right-hand side is
computed independently, from the eigendecomposition of S and numpy's Chebyshev series. lhs = the largest deviation
over t = 0..T and the d coordinates, against ``loop_agreement`` at :math:`\|w^*\|` times :math:`\kappa(S)`.
Positive-control family: exact-spectrum designs with n >= d >= 2 and :math:`\kappa(S) \in [4, 100]` (S nonsingular,
:math:`\delta > 0`). Finding: with :math:`\lambda_{\min} = \lambda_{\max}` (a scaled identity, where one step of
size :math:`1/\theta` is exact) the package's iteration returns NaN (:math:`\sigma = \theta/\delta`); the claim
excludes that case as a hypothesis.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.algoformer import strategies as S
from attnlab.proofs_checks.algoformer.instances import Regression, spectrum
from attnlab.proofs_checks.algoformer.loops import agreement, quietly
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.algoformer import baselines as bl

__all__ = ["chebyshev_is_chebyshev_polynomial"]


def _richardson(S_, b, T, theta):
    """Planted bug: the three-term recurrence dropped (Richardson with the fixed step 1/theta)."""
    w = np.zeros_like(b)
    out = [w]
    for _ in range(T):
        w = w + (b - S_ @ w) / theta
        out.append(w)
    return np.stack(out)


def _spd_hypotheses(r: Regression) -> list[str]:
    out = [f"non-finite input {i}" for i, a in enumerate((r.X, r.y)) if not np.all(np.isfinite(a))]
    n, d = r.X.shape
    if not out and (n < d or np.linalg.matrix_rank(r.X) < d or spectrum(r.X)[2] > 1e8):
        out.append("S singular or kappa(S) > 1e8 (the iteration needs lambda_min > 0)")
    elif not out and spectrum(r.X)[2] < 1 + 1e-6:
        out.append("lambda_min = lambda_max (delta = 0: the iteration's sigma = theta/delta is undefined)")
    return out


def _chebyshev(r: Regression, richardson: bool) -> object:
    S_, b = r.S_b()
    lam, U = np.linalg.eigh(S_)
    lo, hi = float(lam[0]), float(lam[-1])
    theta, delta = (hi + lo) / 2, (hi - lo) / 2
    ws = _richardson(S_, b, r.T, theta) if richardson else bl.chebyshev_iterates(S_, b, r.T, lo, hi)
    w_star = U @ ((U.T @ b) / lam)
    ref = []
    for t in range(r.T + 1):
        c = np.zeros(t + 1)
        c[t] = 1.0
        p = np.polynomial.chebyshev.chebval((theta - lam) / delta, c) / np.polynomial.chebyshev.chebval(theta / delta, c)
        ref.append(w_star + U @ (p * (U.T @ -w_star)))
    return agreement(ws, np.array(ref), float(np.linalg.norm(w_star)), hi / lo)


@empirical_claim(
    "algoformer/chebyshev-is-chebyshev-polynomial",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#chebyshev-polynomial",
    statement=r"$S \succ 0$, bounds $[\lambda_{\min}, \lambda_{\max}]$: the Chebyshev baseline's iterates satisfy $w_t - w^* = \frac{T_t((\theta I - S)/\delta)}{T_t(\theta/\delta)}(w_0 - w^*)$ for every $t \le T$, $w_0 = 0$, $w^* = S^{-1}b$",
    strategy=S.overdetermined(T=(0, 30), cond=(0.0, 1.0)),
    check_hypotheses=_spd_hypotheses,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("three-term recurrence dropped (Richardson with step 1/theta)",
                             evaluate=quietly(lambda r: _chebyshev(r, True)),
                             strategy=S.well_posed(overdetermined_only=True, T=(3, 30), cond=(0.5, 1.0))),
    positive=S.regressions(shapes=[s for s in S.SHAPES if s[0] >= s[1] >= 2], laws=("conditioned",), T=(1, 30),
                           cond=(0.3, 1.0)),  # n >= d >= 2 and kappa in [4, 100]: S nonsingular and delta > 0
    hypotheses=(r"$n \ge d$, $S \succ 0$, $\lambda_{\min} < \lambda_{\max}$", "spectrum bounds exact (the iteration's hypothesis)"),
)
def chebyshev_is_chebyshev_polynomial(r: Regression):
    return _chebyshev(r, False)
