r"""One self-attention layer (softmax or linear) as an in-context regressor ``predict(xs, ys, xq)``.

Tokens are :math:`e_j = (x_j, y_j) \in \mathbb{R}^{D}`, :math:`D = d + 1`, for the N context pairs and
:math:`e_q = (x_q, 0)` for the query (von Oswald et al. 2023, ``src/data.py``). The layer is

.. math::

    e_q' = e_q + W_O \big[\, \textstyle\sum_j \alpha^h_{qj}\, W_V^h e_j \,\big]_{h=1}^{H},
    \qquad \alpha^h_{qj} = \begin{cases}
        \mathrm{softmax}_j\big((W_Q^h e_q)^\top W_K^h e_j / \sqrt{k}\big) & \text{softmax} \\
        (W_Q^h e_q)^\top W_K^h e_j & \text{linear (no normalisation)}
    \end{cases}

with :math:`W_Q^h, W_K^h, W_V^h \in \mathbb{R}^{k \times D}`, :math:`W_O \in \mathbb{R}^{D \times Hk}`,
no biases, no LayerNorm, no MLP, and j running over the context *and* the query (full
self-attention, as in von Oswald's ``src/attn.py``). The prediction is **minus** the last entry of
:math:`e_q'` (von Oswald's readout; spec pitfall 9). Only the query row is read, so for one layer
``attention="query"`` (compute the query row alone, O(N D k) per task) gives exactly the same
output as ``attention="full"`` (all N + 1 rows, O(N^2 k)); ``full`` is the faithful cost.

Initialisation follows haiku's ``VarianceScaling(scale)`` (fan-in, truncated normal at two standard
deviations, std :math:`\sqrt{\text{scale}/\text{fan\_in}} / 0.8796`), von Oswald's ``init_scale = 0.002``.
Symbol map: our N, d, H, k are von Oswald's dataset_size, input_size, num_heads, key_size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["SelfAttentionRegressor", "OnTokens", "make_tokens", "ATTENTION_MODES"]

ATTENTION_MODES = ("full", "query")
_TRUNC_NORMAL_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def make_tokens(xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
    r"""Stack ``[(x_1, y_1), ..., (x_N, y_N), (x_q, 0)]`` into :math:`E \in \mathbb{R}^{B \times (N+1) \times (d+1)}`."""
    ctx = torch.cat([xs, ys.unsqueeze(-1)], dim=-1)  # (B, N, d+1)
    query = torch.cat([xq, torch.zeros_like(xq[:, :1])], dim=-1).unsqueeze(1)  # (B, 1, d+1)
    return torch.cat([ctx, query], dim=1)


def _variance_scaling(shape: tuple[int, int], scale: float, generator, dtype, device) -> torch.Tensor:
    fan_in = shape[0]
    std = math.sqrt(scale / fan_in) / _TRUNC_NORMAL_STD
    w = torch.empty(shape, dtype=dtype, device=device)
    return nn.init.trunc_normal_(w, mean=0.0, std=std, a=-2 * std, b=2 * std, generator=generator)


class SelfAttentionRegressor(nn.Module):
    """One softmax or linear self-attention layer with von Oswald's readout.

    Args:
        d: input dimension (tokens have D = d + 1 entries).
        num_heads: H.
        key_size: k (queries, keys and values all have size k per head).
        softmax: softmax attention with 1/sqrt(k) logit scale, else linear attention.
        attention: ``"full"`` or ``"query"`` (see the module docstring; same output).
        init_scale: haiku VarianceScaling scale.
        generator: torch generator for the initial weights (determinism).
    """

    def __init__(self, d: int, num_heads: int, key_size: int, *, softmax: bool, attention: str = "full",
                 init_scale: float = 0.002, generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32, device=None):
        super().__init__()
        if attention not in ATTENTION_MODES:
            raise ValueError(f"attention must be one of {ATTENTION_MODES}, got {attention!r}")
        D = d + 1
        self.num_heads, self.key_size, self.softmax, self.attention = num_heads, key_size, softmax, attention
        hk = num_heads * key_size

        def param(shape):
            return nn.Parameter(_variance_scaling(shape, init_scale, generator, dtype, device))

        # stored as (in, out), like haiku's Linear
        self.w_q, self.w_k, self.w_v = param((D, hk)), param((D, hk)), param((D, hk))
        self.w_o = param((hk, D))

    def forward(self, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """Predictions in R^B for context ``xs`` (B, N, d), ``ys`` (B, N) and queries ``xq`` (B, d)."""
        return self.forward_tokens(make_tokens(xs, ys, xq))

    def forward_tokens(self, E: torch.Tensor) -> torch.Tensor:
        """Predictions in R^B from tokens ``E`` (B, N + 1, d + 1) whose last row is the query ``(x_q, 0)``."""
        B, T, _ = E.shape
        H, k = self.num_heads, self.key_size
        rows = E if self.attention == "full" else E[:, -1:]  # (B, T', D)
        q = (rows @ self.w_q).view(B, -1, H, k)  # (B, T', H, k)
        key = (E @ self.w_k).view(B, T, H, k)  # (B, T, H, k)
        v = (E @ self.w_v).view(B, T, H, k)  # (B, T, H, k)
        logits = torch.einsum("bthk,bshk->bhts", q, key)  # (B, H, T', T)
        weights = torch.softmax(logits / math.sqrt(k), dim=-1) if self.softmax else logits
        attn = torch.einsum("bhts,bshk->bthk", weights, v).reshape(B, -1, H * k)  # (B, T', Hk)
        out = rows + attn @ self.w_o  # (B, T', D)
        return -out[:, -1, -1]


class OnTokens(nn.Module):
    """``layer`` as a sequence model for the training loop: tokens (B, N + 1, d + 1) -> predictions (B,)."""

    def __init__(self, layer: SelfAttentionRegressor):
        super().__init__()
        self.layer = layer

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.layer.forward_tokens(tokens)
