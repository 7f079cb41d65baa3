r"""Interval-arithmetic certificates (mpmath.iv) for the tight softmax Lipschitz inequalities.

Each certificate evaluates both sides of a *hypothesis-free* sharper form in interval arithmetic with the
instance's float64 entries taken as exact rationals:

* :func:`certify_l2`: :math:`\|\mathrm{softmax}(u) - \mathrm{softmax}(w)\|_2 \le \tfrac12 \|u - w\|_2`
  (with u = Ax, w = Ay it implies C6 for every :math:`R \ge \|A\|_2`; with u = Ax, w = Bx it implies C7
  for every :math:`R \ge \|x\|_2`);
* :func:`certify_l1`: :math:`\|\mathrm{softmax}(u) - \mathrm{softmax}(w)\|_1 \le \tfrac12 (\max_i - \min_i)(u - w)_i` (C8).

It succeeds when the upper end of the left side is below the lower end of the right side: a rigorous
proof for that instance, free of float rounding. Every operation on the instance is an ``mpmath.iv`` interval
operation (products, sums, the shift, exp, division, abs); the shift is the exact midpoint of the largest logit's
interval, which leaves the softmax unchanged. Endpoints are reported as floats rounded *outward* (``lhs_hi`` up,
``rhs_lo`` down), so the reported numbers are themselves valid bounds.

**What a certificate covers** (``Certificate.region``): exactly the one instance, its float64 entries read as
rationals, and, because the sharper form has no R in it, every R for which the claim's hypothesis holds at that
instance (C6: every $R \ge \|A\|_2$; C7: every $R \ge \|x\|_2$; C8 has no R). It says nothing about
neighbouring instances: the worst instances are tight to ~1e-14 relative, below what an interval box of any
useful width could certify.

python-flint's ``arb`` (ball arithmetic, 0.9.0 installs from the registry) would be the faster rigorous backend;
it is not a dependency of attnlab, so ``mpmath.iv`` is used throughout. Derived for attnlab.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mpmath import iv, mpf

__all__ = ["Certificate", "certify_l2", "certify_l1", "PREC_BITS"]

#: working precision of the intervals (bits); 200 bits leaves ~45 decimal digits for margins like 1e-12
PREC_BITS = 200


@dataclass(frozen=True)
class Certificate:
    """Outcome of one interval evaluation: ``ok`` iff ``lhs_hi < rhs_lo`` (compared as intervals; the floats are
    those endpoints rounded outward). ``region`` says what an ``ok`` certificate proves."""

    ok: bool
    lhs_hi: float
    rhs_lo: float
    region: str = ""

    def to_dict(self) -> dict:
        return {"ok": self.ok, "lhs_hi": self.lhs_hi, "rhs_lo": self.rhs_lo, "region": self.region,
                "arithmetic": f"mpmath.iv at {PREC_BITS} bits"}


def _float_up(x) -> float:
    """The smallest float >= the mpf ``x``."""
    f = float(x)
    return f if mpf(f) >= x else float(np.nextafter(f, np.inf))


def _float_down(x) -> float:
    """The largest float <= the mpf ``x``."""
    f = float(x)
    return f if mpf(f) <= x else float(np.nextafter(f, -np.inf))


def _exact(v) -> iv.mpf:
    """A float64 entry as a degenerate interval (exact: 200 bits hold every double)."""
    return iv.mpf(float(v))


def _logits(M: np.ndarray, x: np.ndarray):
    n, d = M.shape
    return [sum((_exact(M[i, j]) * _exact(x[j]) for j in range(d)), iv.mpf(0)) for i in range(n)]


def _softmax(u):
    shift = iv.mpf(max(ui.mid for ui in u))  # any exact constant leaves the softmax unchanged
    e = [iv.exp(ui - shift) for ui in u]
    s = sum(e, iv.mpf(0))
    return [ei / s for ei in e]


def _cert(diff_norm_fn, rhs_fn, M1, x1, M2, x2, region: str) -> Certificate:
    old = iv.prec
    iv.prec = PREC_BITS
    try:
        u, w = _logits(np.asarray(M1), np.asarray(x1)), _logits(np.asarray(M2), np.asarray(x2))
        p, q = _softmax(u), _softmax(w)
        lhs = diff_norm_fn([pi - qi for pi, qi in zip(p, q, strict=True)])
        rhs = rhs_fn([ui - wi for ui, wi in zip(u, w, strict=True)])
        return Certificate(bool(lhs.b < rhs.a), _float_up(lhs.b), _float_down(rhs.a), region)
    finally:
        iv.prec = old


def certify_l2(M1, x1, M2, x2, region: str = "") -> Certificate:
    r"""Certify :math:`\|\mathrm{softmax}(M_1x_1) - \mathrm{softmax}(M_2x_2)\|_2^2 \le \tfrac14\|M_1x_1 - M_2x_2\|_2^2`."""
    return _cert(
        lambda dv: sum((t * t for t in dv), iv.mpf(0)),
        lambda du: sum((t * t for t in du), iv.mpf(0)) / 4,
        M1, x1, M2, x2, region,
    )


def certify_l1(M1, x1, M2, x2, region: str = "") -> Certificate:
    r"""Certify :math:`\|\Delta f\|_1 \le \tfrac12 (\max_i - \min_i)(\Delta u)_i`."""

    def spread(du):
        k_hi = max(range(len(du)), key=lambda i: du[i].mid)
        k_lo = min(range(len(du)), key=lambda i: du[i].mid)
        return (du[k_hi] - du[k_lo]) / 2  # a lower bound of the true spread for any choice of indices

    return _cert(lambda dv: sum((abs(t) for t in dv), iv.mpf(0)), spread, M1, x1, M2, x2, region)
