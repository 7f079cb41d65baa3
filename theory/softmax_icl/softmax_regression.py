r"""Softmax regression (Li, Song, Xia, Yu, Zhou 2023; Definition 1.3 after Deng, Li, Song 2023).

.. math::

    f(A, x) = \langle \exp(Ax), 1_n \rangle^{-1} \exp(Ax), \qquad
    L(x) = \tfrac12 \| f(A, x) - b \|_2^2 .

Shapes: :math:`A \in \mathbb{R}^{n \times d}` (a "document": n tokens, d embedding dims),
:math:`x \in \mathbb{R}^d`, :math:`b \in \mathbb{R}^n`. The softmax normalises across the n tokens.

Notation map (ours -> paper, arXiv 2304.13276 v1 as quoted by the ICLR 2024 reviews):
``f`` = f(x) = alpha(x)^{-1} u(x), ``u`` = Ax (logits), ``c`` = c(x) = f(x) - b, ``loss`` = L_exp(x).

Derived formulas (not read in the paper; checked by attnlab.proofs_checks.softmax_icl):
gradient :math:`\nabla L = A^\top (\mathrm{diag}(f) - f f^\top)(f - b)`, Hessian
:math:`\nabla^2 L = A^\top B(x) A` with :math:`g = (2f - b)\circ f` and
:math:`B = \mathrm{diag}(g) - \langle f-b, f\rangle \mathrm{diag}(f) - g f^\top - f g^\top
+ \langle 3f - 2b, f\rangle f f^\top`.

All functions are float64 numpy and evaluate the softmax with max-subtraction (log-sum-exp), so
they never overflow for finite inputs.

>>> import numpy as np
>>> A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); x = np.zeros(2)
>>> f(A, x)
array([0.33333333, 0.33333333, 0.33333333])
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError

__all__ = [
    "f",
    "loss",
    "grad",
    "hessian",
    "hessian_middle",
    "softmax_jacobian",
    "gd_step",
    "weight_shift_target",
    "data_shift_target",
    "log_paper_constant",
]


def _check(A, x, b=None):
    A = as_float_array("A", A, ndim=2)
    x = as_float_array("x", x, ndim=1)
    n, d = A.shape
    if x.shape[0] != d:
        raise InvalidInputError(f"x must have length d={d} (A is {n} x {d}), got {x.shape[0]}")
    if b is None:
        return A, x, None
    b = as_float_array("b", b, ndim=1)
    if b.shape[0] != n:
        raise InvalidInputError(f"b must have length n={n} (A is {n} x {d}), got {b.shape[0]}")
    return A, x, b


def _softmax(u: np.ndarray) -> np.ndarray:
    z = np.exp(u - np.max(u))
    return z / z.sum()


def f(A, x) -> np.ndarray:
    r"""Softmax of the logits: :math:`f(A,x) = \mathrm{softmax}(Ax) \in \Delta^{n-1}`."""
    A, x, _ = _check(A, x)
    return _softmax(A @ x)


def loss(A, x, b) -> float:
    r""":math:`L(x) = \frac12 \|f(A,x) - b\|_2^2`."""
    A, x, b = _check(A, x, b)
    c = _softmax(A @ x) - b
    return float(0.5 * c @ c)


def softmax_jacobian(p) -> np.ndarray:
    r"""Jacobian of the softmax w.r.t. its logits at probabilities ``p``: :math:`J_u = \mathrm{diag}(p) - p p^\top`.

    Symmetric PSD with :math:`J_u 1 = 0` and :math:`\|J_u\|_2 \le 1/2`.
    """
    p = as_float_array("p", p, ndim=1)
    return np.diag(p) - np.outer(p, p)


def grad(A, x, b) -> np.ndarray:
    r""":math:`\nabla L(x) = A^\top (\mathrm{diag}(f) - f f^\top)(f - b) = A^\top [f\circ c - \langle f, c\rangle f]`."""
    A, x, b = _check(A, x, b)
    p = _softmax(A @ x)
    c = p - b
    return A.T @ (p * c - (p @ c) * p)


def hessian_middle(p, b) -> np.ndarray:
    r"""The n x n middle factor :math:`B(x)` of :math:`\nabla^2 L = A^\top B A` at probabilities ``p``."""
    p = np.asarray(p, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    g = (2 * p - b) * p
    return (
        np.diag(g)
        - ((p - b) @ p) * np.diag(p)
        - np.outer(g, p)
        - np.outer(p, g)
        + ((3 * p - 2 * b) @ p) * np.outer(p, p)
    )


def hessian(A, x, b) -> np.ndarray:
    r""":math:`\nabla^2 L(x) = A^\top B(x) A \in \mathbb{R}^{d \times d}` (see :func:`hessian_middle`)."""
    A, x, b = _check(A, x, b)
    return A.T @ hessian_middle(_softmax(A @ x), b) @ A


def gd_step(A, x, b, eta: float) -> np.ndarray:
    r"""One gradient step (weight shifting): :math:`x_{t+1} = x_t - \eta \nabla L(x_t)`."""
    if not np.isfinite(eta):
        raise InvalidInputError(f"eta must be finite, got {eta!r}")
    return np.asarray(x, dtype=np.float64) - eta * grad(A, x, b)


def weight_shift_target(A, x_old, x_new, b) -> np.ndarray:
    r"""The target :math:`\tilde b = b - (f(A, x_{t+1}) - f(A, x_t))` that makes the weight shift a target shift.

    :math:`f(A, x_{t+1}) - b = f(A, x_t) - \tilde b` (the paper's "closeness" device).
    """
    return np.asarray(b, dtype=np.float64) - (f(A, x_new) - f(A, x_old))


def data_shift_target(A_old, A_new, x, b) -> np.ndarray:
    r"""The target :math:`\hat b = b - (f(A_{t+1}, x) - f(A_t, x))` that makes a data shift a target shift."""
    return np.asarray(b, dtype=np.float64) - (f(A_new, x) - f(A_old, x))


def log_paper_constant(n: int, R: float) -> float:
    r"""Natural log of the main theorem's constant :math:`M = n^{1.5} \exp(10 R^2)`.

    Computed in log space: :math:`M` overflows float64 for :math:`R > 8.425`.
    Source of the value: sciencestack TL;DR of arXiv 2304.13276 (theorem numbering unverified).
    """
    if n < 1 or not np.isfinite(R) or R < 0:
        raise InvalidInputError(f"need n >= 1 and finite R >= 0, got n={n}, R={R}")
    return 1.5 * np.log(n) + 10.0 * R * R
