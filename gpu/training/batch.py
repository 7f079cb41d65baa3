r"""One training batch: inputs, targets and the mask of the positions that count.

``inputs`` :math:`\in \mathbb{R}^{B \times L \times d_\text{in}}`, ``targets``
:math:`\in \mathbb{R}^{B \times L \times d_\text{out}}` or :math:`\mathbb{R}^{B \times L}`, ``mask``
:math:`\in \{0, 1\}^{B \times L}` (bool): the positions scored by the loss and the metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlab.theory.errors import InvalidInputError

__all__ = ["Batch"]


@dataclass
class Batch:
    """``inputs`` (B, L, d_in), ``targets`` (B, L, d_out) or (B, L), ``mask`` (B, L) bool; None = all."""

    inputs: torch.Tensor
    targets: torch.Tensor
    mask: torch.Tensor | None = None

    def __post_init__(self):
        if self.inputs.ndim != 3:
            raise InvalidInputError(f"inputs must be (B, L, d_in), got shape {tuple(self.inputs.shape)}")
        BL = tuple(self.inputs.shape[:2])
        if self.targets.ndim not in (2, 3) or tuple(self.targets.shape[:2]) != BL:
            raise InvalidInputError(f"targets must be (B, L[, d_out]) with (B, L) = {BL}, got {tuple(self.targets.shape)}")
        if self.mask is None:
            self.mask = torch.ones(BL, dtype=torch.bool, device=self.inputs.device)
        if self.mask.dtype != torch.bool or tuple(self.mask.shape) != BL:
            raise InvalidInputError(f"mask must be a bool tensor of shape {BL}, got {self.mask.dtype} {tuple(self.mask.shape)}")

    def to(self, device) -> Batch:
        return Batch(self.inputs.to(device), self.targets.to(device), self.mask.to(device))
