r"""Interval-arithmetic certificates (mpmath.iv) for the tight softmax Lipschitz inequalities.

Each certificate evaluates both sides of a *hypothesis-free* sharper form in interval arithmetic with the
instance's float64 entries taken as exact rationals:

* :func:`certify_l2`: :math:`\|\mathrm{softmax}(u) - \mathrm{softmax}(w)\|_2 \le \tfrac12 \|u - w\|_2`
  (with u = Ax, w = Ay it implies C6 for every :math:`R \ge \|A\|_2`; with u = Ax, w = Bx it implies C7
  for every :math:`R \ge \|x\|_2`);
* :func:`certify_l1`: :math:`\|\mathrm{softmax}(u) - \mathrm{softmax}(w)\|_1 \le \tfrac12 (\max_i - \min_i)(u - w)_i` (C8).

It succeeds when the upper end of the left side is below the lower end of the right side: a rigorous
proof for that instance, free of float rounding. The softmax is shifted by an exact float before
exponentiating, which leaves it unchanged. Derived for attnlab.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mpmath import iv

__all__ = ["Certificate", "certify_l2", "certify_l1", "PREC_BITS"]

#: working precision of the intervals (bits); 200 bits leaves ~45 decimal digits for margins like 1e-12
PREC_BITS = 200


@dataclass(frozen=True)
class Certificate:
    """Outcome of one interval evaluation: ``ok`` iff ``lhs_hi < rhs_lo`` (both as floats, rounded outward)."""

    ok: bool
    lhs_hi: float
    rhs_lo: float


def _logits(M: np.ndarray, x: np.ndarray):
    n, d = M.shape
    return [sum((iv.mpf(float(M[i, j])) * iv.mpf(float(x[j])) for j in range(d)), iv.mpf(0)) for i in range(n)]


def _softmax(u, shift: float):
    e = [iv.exp(ui - iv.mpf(shift)) for ui in u]
    s = sum(e, iv.mpf(0))
    return [ei / s for ei in e]


def _cert(diff_norm_fn, rhs_fn, M1, x1, M2, x2) -> Certificate:
    old = iv.prec
    iv.prec = PREC_BITS
    try:
        u, w = _logits(M1, x1), _logits(M2, x2)
        shift_u = float(np.max(np.asarray(M1) @ np.asarray(x1)))
        shift_w = float(np.max(np.asarray(M2) @ np.asarray(x2)))
        p, q = _softmax(u, shift_u), _softmax(w, shift_w)
        lhs = diff_norm_fn([pi - qi for pi, qi in zip(p, q, strict=True)])
        rhs = rhs_fn([ui - wi for ui, wi in zip(u, w, strict=True)])
        lhs_hi, rhs_lo = float(lhs.b), float(rhs.a)
        return Certificate(bool(lhs.b < rhs.a), lhs_hi, rhs_lo)
    finally:
        iv.prec = old


def certify_l2(M1, x1, M2, x2) -> Certificate:
    r"""Certify :math:`\|\mathrm{softmax}(M_1x_1) - \mathrm{softmax}(M_2x_2)\|_2^2 \le \tfrac14\|M_1x_1 - M_2x_2\|_2^2`."""
    return _cert(
        lambda dv: sum((t * t for t in dv), iv.mpf(0)),
        lambda du: sum((t * t for t in du), iv.mpf(0)) / 4,
        M1, x1, M2, x2,
    )


def certify_l1(M1, x1, M2, x2) -> Certificate:
    r"""Certify :math:`\|\Delta f\|_1 \le \tfrac12 (\max_i - \min_i)(\Delta u)_i`."""

    def spread(du):
        k_hi = max(range(len(du)), key=lambda i: float(du[i].mid))
        k_lo = min(range(len(du)), key=lambda i: float(du[i].mid))
        return (du[k_hi] - du[k_lo]) / 2  # a lower bound of the true spread for any choice of indices

    return _cert(lambda dv: sum((abs(t) for t in dv), iv.mpf(0)), spread, M1, x1, M2, x2)
