r"""The four backbones: hidden states :math:`(B, L, D) \to (B, L, D)`, one class per kind.

Each ends in a LayerNorm (GPT-2's ``ln_f``) except the LSTM, whose outputs are already bounded.
The looped backbone also yields its iterates :math:`h_1, \dots, h_T` for per-loop read-outs.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.gpu.training.attention_block import TransformerBlock
from attnlab.gpu.training.attention_free import AttentionFreeBlock

__all__ = ["GPT2Backbone", "LSTMBackbone", "LoopedBackbone", "AttentionFreeBackbone"]


class GPT2Backbone(nn.Module):
    """``n_layers`` pre-LN transformer blocks and a final LayerNorm."""

    def __init__(self, d_model: int, n_layers: int, n_heads: int, causal: bool):
        super().__init__()
        self.blocks = nn.ModuleList(TransformerBlock(d_model, n_heads, causal) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            h = block(h)
        return self.ln_f(h)


class AttentionFreeBackbone(GPT2Backbone):
    """``n_layers`` attention-free blocks (gated causal conv + cumulative mean) and a final LayerNorm."""

    def __init__(self, d_model: int, n_layers: int):
        nn.Module.__init__(self)
        self.blocks = nn.ModuleList(AttentionFreeBlock(d_model) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)


class LSTMBackbone(nn.Module):
    """An ``n_layers`` unidirectional LSTM of width ``d_model`` (batch first)."""

    def __init__(self, d_model: int, n_layers: int):
        super().__init__()
        self.lstm = nn.LSTM(d_model, d_model, num_layers=n_layers, batch_first=True)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.lstm(h)[0]


class LoopedBackbone(nn.Module):
    r"""One weight-tied unit M of ``n_layers`` blocks applied T times: :math:`h_{t+1} = M(h_t + e)`, :math:`h_0 = 0`."""

    def __init__(self, d_model: int, n_layers: int, n_heads: int, causal: bool):
        super().__init__()
        self.unit = GPT2Backbone(d_model, n_layers, n_heads, causal)
        self.unit.ln_f = nn.Identity()  # the unit's output feeds the next loop; one ln_f at read-out
        self.ln_f = nn.LayerNorm(d_model)

    def iterates(self, e: torch.Tensor, n_loops: int) -> list[torch.Tensor]:
        """The normalised iterates :math:`\\mathrm{LN}(h_1), \\dots, \\mathrm{LN}(h_T)`, each (B, L, D)."""
        h, out = torch.zeros_like(e), []
        for _ in range(n_loops):
            h = self.unit(h + e)
            out.append(self.ln_f(h))
        return out

    def forward(self, e: torch.Tensor, n_loops: int) -> torch.Tensor:
        return self.iterates(e, n_loops)[-1]
