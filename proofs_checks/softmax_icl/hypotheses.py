r"""Hypotheses of the softmax-regression claims, as data: each returns the list of unmet assumptions.

A non-empty list makes a claim *not-applicable* on that instance (never failed). Norm conditions are
read with the :data:`~attnlab.theory._tolerances.TOL` ``inequality`` policy, so an ``A`` rescaled to spectral norm
exactly R is not rejected for a rounding of one ulp.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.softmax_icl.instances import spectral_norm
from attnlab.theory._tolerances import TOL

__all__ = [
    "finite",
    "spectral_norm_at_most",
    "norm_at_most",
    "literal_theorem_x",
    "literal_theorem_a",
    "in_simplex",
    "resolvable_step",
    "resolvable_x_pair",
    "resolvable_a_pair",
]

#: the literal theorem's hypotheses (spec C1) [src: sciencestack TL;DR for M; the rest unverified]
PAPER_R_MIN = 4.0
PAPER_LINF_STEP = 0.01


def finite(**arrays) -> list[str]:
    """Reasons for every named array or scalar that has a NaN or inf entry."""
    return [f"{k} has non-finite entries" for k, v in arrays.items() if not np.all(np.isfinite(np.asarray(v)))]


def spectral_norm_at_most(name: str, M, R: float) -> list[str]:
    s = spectral_norm(M)
    if s > R + TOL.inequality.allowance(R):
        return [f"||{name}||_2 = {s:.6g} > R = {R:.6g}"]
    return []


def norm_at_most(name: str, v, R: float) -> list[str]:
    s = float(np.linalg.norm(v))
    if s > R + TOL.inequality.allowance(R):
        return [f"||{name}||_2 = {s:.6g} > R = {R:.6g}"]
    return []


def in_simplex(name: str, b) -> list[str]:
    b = np.asarray(b)
    if np.any(b < -TOL.float64_exact.atol) or abs(b.sum() - 1.0) > TOL.float64_exact.allowance(1.0):
        return [f"{name} is not in the probability simplex"]
    return []


def resolvable_step(step: float, logit_scale: float, precision: float, what: str) -> list[str]:
    r"""Unmet when a pair is closer than float64 can resolve at the check's precision.

    Logits :math:`u = Ax` carry rounding of about :math:`\epsilon \max(1, \|u\|_\infty)`, so a step of size
    :math:`s = \|u' - u\|_\infty` is known to relative :math:`\epsilon \max(1, \|u\|_\infty) / s`, and so is every
    difference quotient built on it (:math:`\|f(x) - f(y)\| / \|x - y\|`, the chain's ratios). A check at
    relative ``precision`` therefore needs :math:`s \ge \epsilon \max(1, \|u\|_\infty) / \text{precision}`;
    closer pairs are rounding noise (``sublemma-chain`` once "failed" on a pair 5e-15 apart), so they are
    not-applicable with this reason. The tolerance itself is never widened.
    """
    need = float(np.finfo(np.float64).eps) * max(1.0, logit_scale) / precision
    if step < need:
        return [f"{what} = {step:.3g} is below the float64 resolution {need:.3g} of the difference quotient "
                f"at relative precision {precision:.0e}"]
    return []


def _logit_step_x(A, x, y) -> tuple[float, float]:
    A, x, y = (np.asarray(v, dtype=np.float64) for v in (A, x, y))
    return float(np.max(np.abs(A @ (y - x)))), float(max(np.max(np.abs(A @ x)), np.max(np.abs(A @ y))))


def _logit_step_a(A, B, x) -> tuple[float, float]:
    A, B, x = (np.asarray(v, dtype=np.float64) for v in (A, B, x))
    return float(np.max(np.abs((B - A) @ x))), float(max(np.max(np.abs(A @ x)), np.max(np.abs(B @ x))))


def resolvable_x_pair(A, x, y, precision: float) -> list[str]:
    """:func:`resolvable_step` for a pair of weights x, y on one document A."""
    return resolvable_step(*_logit_step_x(A, x, y), precision, "||A(y - x)||_inf")


def resolvable_a_pair(A, B, x, precision: float) -> list[str]:
    """:func:`resolvable_step` for a pair of documents A, B at one weight x."""
    return resolvable_step(*_logit_step_a(A, B, x), precision, "||(B - A) x||_inf")


def _paper_common(A, x, R) -> list[str]:
    out = []
    if R < PAPER_R_MIN:
        out.append(f"R = {R:.6g} < 4 (theorem assumes R >= 4)")
    out += spectral_norm_at_most("A", A, R)
    out += norm_at_most("x", x, R)
    return out


def literal_theorem_x(A, x, y, R) -> list[str]:
    r"""C1 part 1: :math:`R \ge 4`, :math:`\|A\| \le R`, :math:`\|x\| \le R`, :math:`\|A(y - x)\|_\infty < 0.01`."""
    bad = finite(A=A, x=x, y=y, R=R)
    if bad:
        return bad
    out = _paper_common(A, x, R)
    step = float(np.max(np.abs(np.asarray(A) @ (np.asarray(y) - np.asarray(x)))))
    if not np.any(np.asarray(y) != np.asarray(x)):
        out.append("x_t+1 = x_t (no step: the ratio is undefined)")
    if not step < PAPER_LINF_STEP:
        out.append(f"||A(x_t+1 - x_t)||_inf = {step:.3g} >= 0.01")
    return out or resolvable_x_pair(A, x, y, TOL.log_inequality.atol)


def literal_theorem_a(A, B, x, R) -> list[str]:
    r"""C1 part 2: :math:`R \ge 4`, :math:`\|A_t\| \le R`, :math:`\|x\| \le R`, :math:`\|(A_{t+1}-A_t)x\|_\infty < 0.01`."""
    bad = finite(A=A, B=B, x=x, R=R)
    if bad:
        return bad
    out = _paper_common(A, x, R)
    step = float(np.max(np.abs((np.asarray(B) - np.asarray(A)) @ np.asarray(x))))
    if not np.any(np.asarray(B) != np.asarray(A)):
        out.append("A_t+1 = A_t (no step: the ratio is undefined)")
    if not step < PAPER_LINF_STEP:
        out.append(f"||(A_t+1 - A_t) x||_inf = {step:.3g} >= 0.01")
    return out or resolvable_a_pair(A, B, x, TOL.log_inequality.atol)
