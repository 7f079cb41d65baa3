r"""An attention-free causal token mixer: a gated causal convolution plus a causal cumulative mean.

For :math:`h \in \mathbb{R}^{B \times L \times D}` and position t,

.. math::

    v = h W_v,\quad
    c_t = \sum_{s=0}^{K-1} k_s \odot v_{t-s}\ (\text{depthwise, } v_{<0} = 0),\quad
    m_t = \tfrac{1}{t+1} \textstyle\sum_{s \le t} v_s,\quad
    \mathrm{Mix}(h)_t = \big(\sigma(h_t W_g) \odot (c_t + m_t)\big) W_o,

so output t depends on inputs :math:`\le t` only: local context through the width-K convolution
(K = 4), global context through the running mean. It is a simple member of the gated-convolution
family (H3 / Hyena style) with no attention anywhere; the block is pre-LN like GPT-2's:
:math:`h \leftarrow h + \mathrm{Mix}(\mathrm{LN}(h))`, then the 4x GELU MLP.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CausalMixer", "AttentionFreeBlock", "KERNEL"]

KERNEL = 4


class CausalMixer(nn.Module):
    """Gated causal depthwise conv + cumulative mean, :math:`(B, L, D) \\to (B, L, D)`."""

    def __init__(self, d_model: int, kernel: int = KERNEL):
        super().__init__()
        self.kernel = kernel
        self.value, self.gate, self.proj = (nn.Linear(d_model, d_model) for _ in range(3))
        self.conv = nn.Conv1d(d_model, d_model, kernel, groups=d_model)  # padded on the left only

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        v = self.value(h)  # (B, L, D)
        c = self.conv(F.pad(v.transpose(1, 2), (self.kernel - 1, 0))).transpose(1, 2)  # (B, L, D), causal
        counts = torch.arange(1, h.shape[1] + 1, device=h.device, dtype=h.dtype).view(1, -1, 1)
        m = v.cumsum(dim=1) / counts  # (B, L, D): running mean over positions <= t
        return self.proj(torch.sigmoid(self.gate(h)) * (c + m))


class AttentionFreeBlock(nn.Module):
    """Pre-LN block: causal mixer then 4x GELU MLP."""

    def __init__(self, d_model: int):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.mix = CausalMixer(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        h = h + self.mix(self.ln1(h))
        return h + self.mlp(self.ln2(h))
