r"""Batched torch softmax regression: :math:`f`, loss, gradient, one GD step, query prediction.

The batched twin of :mod:`attnlab.theory.softmax_icl.softmax_regression` (float64 numpy, one instance): every function
here takes a leading batch axis and runs on any device and dtype (float64 included), and its tests
compare it with ``theory/`` on small CPU instances.

.. math::

    f(A, x) = \mathrm{softmax}(Ax), \qquad L(x) = \tfrac12\|f(A,x) - b\|_2^2, \qquad
    \nabla L(x) = A^\top (\mathrm{diag}(f) - f f^\top)(f - b),

and one step from :math:`x_0 = 0` is :math:`x_1 = -\eta\nabla L(0) = \frac{\eta}{n}\sum_i (a_i - \bar a) b_i`
(see :mod:`attnlab.theory.softmax_icl.gd_construction`).

Shapes: :math:`A \in \mathbb{R}^{B \times n \times d}`, :math:`x \in \mathbb{R}^{B \times d}`,
:math:`b \in \mathbb{R}^{B \times n}`. Paper notation (arXiv 2304.13276, Def. 1.3): A, x, b as in the
paper, with the batch axis B added.
"""

from __future__ import annotations

import torch

__all__ = ["f", "loss", "grad", "gd_step", "gd_direction_from_zero", "query_prediction"]


def f(A: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    r""":math:`\mathrm{softmax}(A x) \in \mathbb{R}^{B \times n}` (normalised over the n tokens)."""
    return torch.softmax(torch.einsum("bnd,bd->bn", A, x), dim=-1)


def loss(A: torch.Tensor, x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`\frac12\|f(A,x) - b\|_2^2 \in \mathbb{R}^{B}`."""
    c = f(A, x) - b
    return 0.5 * (c * c).sum(-1)


def grad(A: torch.Tensor, x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla L(x) = A^\top [f\circ c - \langle f, c\rangle f] \in \mathbb{R}^{B \times d}`."""
    p = f(A, x)  # (B, n)
    c = p - b
    inner = (p * c).sum(-1, keepdim=True)  # (B, 1)
    return torch.einsum("bnd,bn->bd", A, p * c - inner * p)


def gd_step(A: torch.Tensor, x: torch.Tensor, b: torch.Tensor, eta: float) -> torch.Tensor:
    r""":math:`x - \eta \nabla L(x)`, batched."""
    return x - eta * grad(A, x, b)


def gd_direction_from_zero(A: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`-\nabla L(0) = \frac1n \sum_i (a_i - \bar a) b_i \in \mathbb{R}^{B \times d}` (so :math:`x_1 = \eta \cdot` this)."""
    n = A.shape[1]
    keys = A - A.mean(dim=1, keepdim=True)  # centred tokens, (B, n, d)
    return torch.einsum("bnd,bn->bd", keys, b) / n


def query_prediction(A: torch.Tensor, a_q: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    r"""Per-query prediction :math:`\hat y_q = n\,\alpha(x)^{-1} \exp(a_q^\top x) \in \mathbb{R}^{B}`, :math:`\alpha(x) = \langle \exp(Ax), 1_n\rangle`.

    Definition 1.3 defines no prediction for a new token (pitfall 1 of the spec). attnlab's choice:
    extend :math:`f(A, x) = \alpha(x)^{-1}\exp(Ax)` to the query row *with the document's normaliser*
    (the query does not enter :math:`\alpha`), rescaled by n so that x = 0 predicts 1. For a context
    row :math:`a_i` this gives :math:`n f(A, x)_i`. Computed in log space (no overflow).
    """
    n = A.shape[1]
    log_alpha = torch.logsumexp(torch.einsum("bnd,bd->bn", A, x), dim=-1)  # (B,)
    return n * torch.exp((a_q * x).sum(-1) - log_alpha)
