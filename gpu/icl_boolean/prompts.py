r"""The official prompt encoding and loss as training-layer objects (spec 2.2-2.4, [src: models.py, bool_tasks.py]).

* :func:`encode`: tokens :math:`x_1, y_1, \dots, x_N, y_N` ``(B, 2N, n)``; a y-token is :math:`(y, 0, \dots, 0)`.
* :func:`to_batch`: a :class:`~attnlab.gpu.training.Batch` whose targets are :math:`y_i` at the x-token
  positions ``2(i-1)`` and whose mask marks exactly those positions (all N, including position 1, as the
  official loss does).
* :func:`bce_loss`: sigmoid + BCE against :math:`(y+1)/2`, mean over the masked positions.
* :func:`scores_at_x`: the model outputs at the x-tokens ``(B, N)``, for the theory/ scoring modes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from attnlab.gpu.training import Batch

__all__ = ["encode", "to_batch", "bce_loss", "scores_at_x", "sampler_for_training"]


def encode(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    B, N, n = X.shape
    tok = torch.zeros(B, 2 * N, n, dtype=X.dtype, device=X.device)
    tok[:, 0::2] = X
    tok[:, 1::2, 0] = y
    return tok


def to_batch(X: torch.Tensor, y: torch.Tensor) -> Batch:
    B, N, _ = X.shape
    targets = torch.zeros(B, 2 * N, dtype=X.dtype, device=X.device)
    targets[:, 0::2] = y
    mask = torch.zeros(B, 2 * N, dtype=torch.bool, device=X.device)
    mask[:, 0::2] = True
    return Batch(encode(X, y), targets, mask)


def scores_at_x(pred: torch.Tensor) -> torch.Tensor:
    """``(B, 2N, 1)`` or ``(B, 2N)`` model outputs -> the N predictions at the x-tokens."""
    p = pred[..., 0] if pred.ndim == 3 else pred
    return p[:, 0::2]


def bce_loss(pred: torch.Tensor, batch: Batch) -> torch.Tensor:
    p = pred[..., 0] if pred.ndim == 3 else pred
    target = (batch.targets + 1) / 2
    return F.binary_cross_entropy_with_logits(p[batch.mask], target[batch.mask])


def sampler_for_training(task: str, n_dims: int, n_points: int, batch: int, *, teach_fraction: float | None = None,
                         **options):
    """``sample(step, generator) -> Batch`` drawing fresh functions every step (the training layer's contract).

    ``teach_fraction`` (``*_teach`` tasks only): each prompt starts with its teaching sequence with this
    probability and is a random-example prompt otherwise (a teach / no-teach mixture, spec F3)."""
    from attnlab.gpu.icl_boolean.sampler import sample_torch

    def sample(step: int, generator: torch.Generator) -> Batch:
        d = sample_torch(task, n_dims, n_points, batch, generator, **options)
        X, y = d.X, d.y
        if teach_fraction is not None and teach_fraction < 1:
            r = sample_torch(task, n_dims, n_points, batch, generator, teaching=False, **options)
            pick = torch.rand(batch, generator=generator, device=generator.device) < teach_fraction
            X, y = torch.where(pick[:, None, None], X, r.X), torch.where(pick[:, None], y, r.y)
        return to_batch(X, y)

    return sample
