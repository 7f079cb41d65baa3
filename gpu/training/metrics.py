r"""Per-position metrics and the masked losses, over the positions ``batch.mask`` marks.

For a metric :math:`\ell(\hat y_{bt}, y_{bt})` averaged over output dims,

.. math::

    \mathrm{per\_position}_t = \frac{\sum_b m_{bt}\, \ell(\hat y_{bt}, y_{bt})}{\sum_b m_{bt}},

NaN where no row of the batch counts position t. ``mse``: :math:`\ell = \mathrm{mean}_k (\hat y - y)_k^2`;
``accuracy_sign``: :math:`\ell = \mathrm{mean}_k [\mathrm{sign}\,\hat y_k = \mathrm{sign}\, y_k]` (labels
in {-1, +1}).
"""

from __future__ import annotations

import torch

from attnlab.gpu.training.batch import Batch
from attnlab.theory.errors import InvalidInputError

__all__ = ["per_position", "masked_mse", "METRICS"]

METRICS = ("mse", "accuracy_sign")


def _aligned(pred: torch.Tensor, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """``pred`` and targets as (B, L, k) with equal shapes."""
    y = batch.targets if batch.targets.ndim == 3 else batch.targets.unsqueeze(-1)
    p = pred if pred.ndim == 3 else pred.unsqueeze(-1)
    if p.shape != y.shape:
        raise InvalidInputError(f"pred shape {tuple(pred.shape)} does not match targets {tuple(batch.targets.shape)}")
    return p, y.to(p.dtype)


def _pointwise(pred: torch.Tensor, batch: Batch, metric: str) -> torch.Tensor:
    """(B, L) values of the metric, averaged over output dims."""
    p, y = _aligned(pred, batch)
    if metric == "mse":
        return ((p - y) ** 2).mean(-1)
    if metric == "accuracy_sign":
        return (torch.sign(p) == torch.sign(y)).to(p.dtype).mean(-1)
    raise InvalidInputError(f"unknown metric {metric!r}; valid metrics: {', '.join(METRICS)}")


def per_position(pred: torch.Tensor, batch: Batch, metric: str) -> torch.Tensor:
    """The metric at each position, averaged over the batch rows the mask counts: shape (L,)."""
    values = _pointwise(pred, batch, metric)  # (B, L)
    m = batch.mask.to(values.dtype)
    counts = m.sum(0)  # (L,)
    total = (values * m).sum(0)
    return torch.where(counts > 0, total / counts.clamp_min(1), torch.full_like(total, float("nan")))


def masked_mse(pred: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Mean squared error over the counted positions (and output dims): a scalar loss."""
    values = _pointwise(pred, batch, "mse")
    m = batch.mask.to(values.dtype)
    return (values * m).sum() / m.sum().clamp_min(1)
