r"""A GPT-2-style pre-LN transformer block (shared by the ``gpt2`` and ``looped`` kinds).

.. math::

    h \leftarrow h + \mathrm{Attn}(\mathrm{LN}_1(h)), \qquad
    h \leftarrow h + W_2\, \mathrm{GELU}(W_1\, \mathrm{LN}_2(h)),

with :math:`h \in \mathbb{R}^{B \times L \times D}`, multi-head attention of H heads of size D/H,
scores scaled by :math:`1/\sqrt{D/H}`, a causal mask when ``causal``, an MLP of width 4D, no dropout
(Radford et al. 2019, GPT-2; the pre-LN placement is theirs).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SelfAttention", "TransformerBlock"]


class SelfAttention(nn.Module):
    """Multi-head self-attention :math:`(B, L, D) \\to (B, L, D)`, causal when ``causal``."""

    def __init__(self, d_model: int, n_heads: int, causal: bool):
        super().__init__()
        self.n_heads, self.causal = n_heads, causal
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        B, L, D = h.shape
        q, k, v = self.qkv(h).view(B, L, 3, self.n_heads, D // self.n_heads).permute(2, 0, 3, 1, 4)  # 3 x (B, H, L, D/H)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)  # (B, H, L, D/H)
        return self.proj(out.transpose(1, 2).reshape(B, L, D))


class TransformerBlock(nn.Module):
    """Pre-LN block: attention then MLP, each on a LayerNorm'd residual stream :math:`(B, L, D)`."""

    def __init__(self, d_model: int, n_heads: int, causal: bool):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, n_heads, causal)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        h = h + self.attn(self.ln1(h))
        return h + self.mlp(self.ln2(h))
