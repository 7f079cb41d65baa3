r"""Regularised softmax regression of the line the paper builds on (Deng, Li, Song 2023, arXiv 2304.10411, "DLS23").

.. math::

    L_{\mathrm{reg}}(x) = \tfrac12 \|f(A, x) - b\|_2^2 + \tfrac12 \|\mathrm{diag}(w) A x\|_2^2 ,\qquad
    \nabla L_{\mathrm{reg}} = \nabla L + A^\top \mathrm{diag}(w^2) A x ,\qquad
    \nabla^2 L_{\mathrm{reg}} = A^\top \big(B(x) + \mathrm{diag}(w^2)\big) A ,

with :math:`B(x)` the middle factor of :func:`~attnlab.theory.softmax_icl.softmax_regression.hessian_middle`.
That DLS23 add a regulariser is read in their abstract; the form :math:`\tfrac12\|\mathrm{diag}(w)Ax\|^2` is
[unverified] (spec §2). Consequence [derived]: for :math:`A` of full column rank,
:math:`\lambda_{\min}(\nabla^2 L_{\mathrm{reg}}) \ge (\min_i w_i^2 - \|B(x)\|_2)\,\sigma_{\min}(A)^2`, so the
Hessian is positive definite once :math:`\min_i w_i^2 > \|B(x)\|_2` (e.g. :math:`w_i^2 > 11/4` for b in the
simplex).

>>> import numpy as np
>>> A = np.eye(3, 2); x = np.zeros(2); b = np.full(3, 1/3); w = np.full(3, 2.0)
>>> bool(np.all(np.linalg.eigvalsh(hessian_regularized(A, x, b, w)) > 0))
True
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.softmax_icl import softmax_regression as sr

__all__ = ["loss_regularized", "grad_regularized", "hessian_regularized"]


def _weights(A, w) -> tuple[np.ndarray, np.ndarray]:
    A = as_float_array("A", A, ndim=2)
    w = as_float_array("w", w, ndim=1)
    if w.shape[0] != A.shape[0]:
        raise InvalidInputError(f"w must have length n={A.shape[0]} (A is {A.shape[0]} x {A.shape[1]}), got {w.shape[0]}")
    return A, w


def loss_regularized(A, x, b, w) -> float:
    r""":math:`L(x) + \tfrac12\|\mathrm{diag}(w) A x\|_2^2`."""
    A, w = _weights(A, w)
    r = w * (A @ np.asarray(x, dtype=np.float64))
    return sr.loss(A, x, b) + float(0.5 * r @ r)


def grad_regularized(A, x, b, w) -> np.ndarray:
    r""":math:`\nabla L(x) + A^\top \mathrm{diag}(w^2) A x`."""
    A, w = _weights(A, w)
    return sr.grad(A, x, b) + A.T @ (w * w * (A @ np.asarray(x, dtype=np.float64)))


def hessian_regularized(A, x, b, w) -> np.ndarray:
    r""":math:`A^\top (B(x) + \mathrm{diag}(w^2)) A \in \mathbb{R}^{d\times d}`."""
    A, w = _weights(A, w)
    return sr.hessian(A, x, b) + A.T @ (np.diag(w * w) @ A)
