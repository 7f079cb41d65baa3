r"""One gradient step from zero as an in-context *model*: ``predict(xs, ys, xq)`` like the transformer.

Baselines share the transformer's call signature (dtsip/in-context-learning), so the training loop,
the loss and von Oswald's alignment metrics treat both alike. A one-step-GD model is
:math:`\hat y = \mathrm{readout}(x_q, \eta\, g(\text{context}))`, where the direction
:math:`g = -\nabla L(0)` does not depend on the step size :math:`\eta`; :meth:`OneStepGD.direction`
and :meth:`OneStepGD.readout` expose the two halves so a grid search over :math:`\eta` costs one
direction and one readout per grid point.

* :class:`OneStepGDLinear` (von Oswald et al. 2023): :math:`L(W) = \frac{1}{2N}\sum_i (W x_i - y_i)^2`,
  :math:`g = \frac1N \sum_i y_i x_i`, :math:`\hat y = \eta\, g^\top x_q`. Their ``lr`` is our
  :math:`\eta`; the value they print is :math:`\eta / N`.
* :class:`OneStepGDSoftmax` (softmax regression, arXiv 2304.13276 Def. 1.3): the context is the
  document :math:`A = [x_1; \dots; x_n]` with target :math:`b = y / \langle y, 1_n\rangle` (a point of
  the simplex), :math:`g = -\nabla L(0) = \frac1n\sum_i (a_i - \bar a) b_i`, and the query is read out
  by :func:`attnlab.gpu.softmax_icl.softmax_regression.query_prediction`:
  :math:`\hat y_q = n \exp(x_q^\top \eta g) / \langle \exp(A \eta g), 1_n\rangle - o`, where the
  task's label offset o is undone first: :math:`b = (y + o) / \langle y + o, 1_n\rangle`.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.gpu.softmax_icl.softmax_regression import gd_direction_from_zero, query_prediction

__all__ = ["OneStepGD", "OneStepGDLinear", "OneStepGDSoftmax"]


class OneStepGD(nn.Module):
    """Base class: ``forward = readout(xs, xq, eta * direction(xs, ys))``. No trainable parameters."""

    def __init__(self, eta: float = 0.0):
        super().__init__()
        self.eta = float(eta)

    def direction(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:  # (B, d)
        raise NotImplementedError

    def readout(self, xs: torch.Tensor, xq: torch.Tensor, w: torch.Tensor) -> torch.Tensor:  # (B,)
        raise NotImplementedError

    def readout_path(self, xs: torch.Tensor, xq: torch.Tensor, g: torch.Tensor, etas):
        """Yield ``readout(xs, xq, eta * g)`` (B,) for each eta in ``etas``, in order (a grid search's path).

        Subclasses whose readout depends on w only through :math:`x^\top w` override this to form those
        products once (the per-eta cost then drops from O(B N d) to O(B N)).
        """
        for eta in etas:
            yield self.readout(xs, xq, float(eta) * g)

    def forward(self, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        return self.readout(xs, xq, self.eta * self.direction(xs, ys))


class OneStepGDLinear(OneStepGD):
    r"""Linear regression: :math:`\hat y = \eta\,(\frac1N\sum_i y_i x_i)^\top x_q`."""

    def direction(self, xs, ys):
        return torch.einsum("bnd,bn->bd", xs, ys) / xs.shape[1]

    def readout(self, xs, xq, w):
        return (xq * w).sum(-1)

    def readout_path(self, xs, xq, g, etas):
        base = (xq * g).sum(-1)  # (B,)
        for eta in etas:
            yield float(eta) * base


class OneStepGDSoftmax(OneStepGD):
    r"""Softmax regression: :math:`\hat y_q = n\,e^{\eta x_q^\top g} / \sum_i e^{\eta a_i^\top g} - o`, :math:`b = (y+o)/\sum (y+o)`."""

    def __init__(self, eta: float = 0.0, label_offset: float = 0.0):
        super().__init__(eta)
        self.label_offset = float(label_offset)

    def direction(self, xs, ys):
        raw = ys + self.label_offset  # undo the task's label offset: raw = n b > 0
        b = raw / raw.sum(-1, keepdim=True)  # context target distribution, (B, n)
        return gd_direction_from_zero(xs, b)

    def readout(self, xs, xq, w):
        return query_prediction(xs, xq, w) - self.label_offset

    def readout_path(self, xs, xq, g, etas):
        r""":math:`n \exp(\eta\, x_q^\top g - \mathrm{LSE}_i(\eta\, a_i^\top g)) - o` with the logits formed once."""
        ctx = torch.einsum("bnd,bd->bn", xs, g)  # (B, n)
        query = (xq * g).sum(-1)  # (B,)
        n = xs.shape[1]
        for eta in etas:
            eta = float(eta)
            yield n * torch.exp(eta * query - torch.logsumexp(eta * ctx, dim=-1)) - self.label_offset
