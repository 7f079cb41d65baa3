r"""Independent reference computations that the claims compare the package's code against.

A bound such as :math:`\|f(x) - f(y)\| \le \tfrac R2\|x - y\|` also holds for a *wrong* f (softmax(-Ax) is just
as Lipschitz), so a claim that only evaluates the bound through the package cannot catch that bug. Every
softmax_icl claim that calls :mod:`attnlab.theory.softmax_icl` therefore also compares what it called with the
computation here, written without that code:

* :func:`softmax_ref` is :func:`scipy.special.softmax`;
* :func:`jacobian_ref` (:math:`\partial\,\mathrm{softmax}/\partial u`), :func:`grad_ref` (:math:`\nabla_x L`) and
  :func:`hessian_u_ref` (:math:`\nabla_u^2 \tfrac12\|\mathrm{softmax}(u) - b\|^2`, i.e. :math:`B(x)`) are complex-step
  derivatives (:math:`\partial_k F = \mathrm{Im}\,F(z + ih e_k)/h`, h = 1e-20: no cancellation) of the plain
  definitions, never of the package's formulas;
* :func:`attention_update_ref` is a loop over query tokens.

:func:`agree` turns a difference into a :class:`~attnlab.proofs_checks.record.Comparison` (error <= allowance at the
reference's scale) and :func:`checked` combines a bound with its identity checks (the first violated one, else the bound). Derived for attnlab.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.theory._lazy import lazy_function
from attnlab.theory._tolerances import Tolerance

_scipy_softmax = lazy_function("scipy.special", "softmax")

__all__ = [
    "softmax_ref",
    "csoftmax",
    "complex_step",
    "jacobian_ref",
    "loss_grad_in_u",
    "grad_ref",
    "hessian_u_ref",
    "attention_update_ref",
    "agree",
    "checked",
]

CS_H = 1e-20


def softmax_ref(u) -> np.ndarray:
    """scipy's softmax of a real vector."""
    return np.asarray(_scipy_softmax(np.asarray(u, dtype=np.float64)), dtype=np.float64)


def csoftmax(z: np.ndarray) -> np.ndarray:
    """Softmax of a complex vector, shifted by the max of the real parts (analytic, for the complex step)."""
    e = np.exp(z - np.max(z.real))
    return e / e.sum()


def complex_step(F, x: np.ndarray) -> np.ndarray:
    """Columns :math:`\\mathrm{Im}\\,F(x + i h e_k) / h`; the last axis indexes k."""
    cols = []
    for k in range(x.shape[0]):
        z = np.asarray(x, dtype=np.float64).astype(np.complex128)
        z[k] += 1j * CS_H
        cols.append(np.imag(F(z)) / CS_H)
    return np.stack(cols, axis=-1)


def jacobian_ref(u) -> np.ndarray:
    r""":math:`\partial\,\mathrm{softmax}(u)/\partial u \in \mathbb{R}^{n\times n}` by complex step."""
    return complex_step(csoftmax, np.asarray(u, dtype=np.float64))


def loss_grad_in_u(z: np.ndarray, b: np.ndarray) -> np.ndarray:
    r""":math:`\nabla_u \tfrac12\|\mathrm{softmax}(u) - b\|^2 = (\mathrm{diag}(p) - pp^\top)(p - b)`, written
    element-wise (complex-safe, no conjugation), for the complex-step Hessian."""
    p = csoftmax(z)
    c = p - b
    return p * c - p * np.sum(p * c)


def grad_ref(A, x, b) -> np.ndarray:
    r""":math:`\nabla_x \tfrac12\|\mathrm{softmax}(Ax) - b\|^2` by complex step of the loss itself."""
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)

    def closs(z):
        c = csoftmax(A @ z) - b
        return 0.5 * np.sum(c * c)

    return complex_step(closs, np.asarray(x, dtype=np.float64))


def hessian_u_ref(u, b) -> np.ndarray:
    r""":math:`B = \nabla_u^2 \tfrac12\|\mathrm{softmax}(u) - b\|^2` by complex step of :func:`loss_grad_in_u`."""
    b = np.asarray(b, dtype=np.float64)
    return complex_step(lambda z: loss_grad_in_u(z, b), np.asarray(u, dtype=np.float64))


def attention_update_ref(A, WQ, WK, WV) -> np.ndarray:
    r""":math:`A_{t+1}`, token by token: row i adds :math:`\sum_j \mathrm{softmax}_j(q_i^\top k_j/\sqrt k)\, v_j`."""
    A = np.asarray(A, dtype=np.float64)
    Q, K, V = A @ WQ, A @ WK, A @ WV
    out = A.copy()
    for i in range(A.shape[0]):
        out[i] += softmax_ref(K @ Q[i] / np.sqrt(Q.shape[1])) @ V
    return out


def agree(ours, ref, scale, policy: Tolerance) -> Comparison:
    """``max |ours - ref| <= policy.allowance(scale)`` as a Comparison (an identity: rhs = 0)."""
    err = float(np.max(np.abs(np.asarray(ours) - np.asarray(ref)), initial=0.0))
    return Comparison(err if np.isfinite(err) else np.inf, 0.0, policy.allowance(scale))


def checked(main: Comparison, *identities: Comparison) -> Comparison:
    """``main`` (the claim's own comparison) unless it or one of the identity checks is violated; then the first
    violated one, so a wrong package function fails the claim with its own error in the record."""
    for c in (main, *identities):
        if not c.holds:
            return c
    return main
