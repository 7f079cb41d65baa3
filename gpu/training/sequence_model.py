r"""The shared read-in / read-out around a backbone: :math:`(B, L, d_\text{in}) \to (B, L, d_\text{out})`.

.. math::

    e = x W_\text{in} + b_\text{in} + P_{[0:L]},\qquad \hat y = \mathrm{backbone}(e)\, W_\text{out} + b_\text{out},

with :math:`P \in \mathbb{R}^{\text{max\_len} \times D}` a learned position table (omitted when
``position="none"``). :class:`LoopedModel` adds the loop count: ``model(x, n_loops=k)`` and
``outputs_per_loop(x, k)``, the read-out of every iterate.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.gpu.training.spec import ModelSpec
from attnlab.theory.errors import InvalidInputError

__all__ = ["SequenceModel", "LoopedModel"]


class SequenceModel(nn.Module):
    """Read-in (+ positions), a backbone (B, L, D) -> (B, L, D), read-out."""

    def __init__(self, spec: ModelSpec, backbone: nn.Module):
        super().__init__()
        self.spec = spec
        self.read_in = nn.Linear(spec.d_in, spec.d_model)
        self.positions = nn.Embedding(spec.max_len, spec.d_model) if spec.position == "learned" else None
        self.backbone = backbone
        self.read_out = nn.Linear(spec.d_model, spec.d_out)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`e \\in \\mathbb{R}^{B \\times L \\times D}` from :math:`x \\in \\mathbb{R}^{B \\times L \\times d_\\text{in}}`."""
        if x.ndim != 3 or x.shape[-1] != self.spec.d_in:
            raise InvalidInputError(f"expected inputs (B, L, d_in={self.spec.d_in}), got shape {tuple(x.shape)}")
        if x.shape[1] > self.spec.max_len:
            raise InvalidInputError(f"sequence length {x.shape[1]} exceeds max_len={self.spec.max_len}")
        e = self.read_in(x)
        if self.positions is not None:
            e = e + self.positions.weight[: x.shape[1]]
        return e

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.read_out(self.backbone(self.embed(x)))


class LoopedModel(SequenceModel):
    """A weight-tied looped model; ``n_loops`` defaults to ``spec.n_loops``."""

    def forward(self, x: torch.Tensor, n_loops: int | None = None) -> torch.Tensor:
        return self.read_out(self.backbone(self.embed(x), self._loops(n_loops)))

    def outputs_per_loop(self, x: torch.Tensor, n_loops: int | None = None) -> list[torch.Tensor]:
        """``[read_out(h_1), ..., read_out(h_T)]``, each (B, L, d_out); the last equals ``model(x, T)``."""
        return [self.read_out(h) for h in self.backbone.iterates(self.embed(x), self._loops(n_loops))]

    def _loops(self, n_loops: int | None) -> int:
        k = self.spec.n_loops if n_loops is None else n_loops
        if not isinstance(k, int) or k < 1:
            raise InvalidInputError(f"n_loops must be an integer >= 1, got {k!r}")
        return k
