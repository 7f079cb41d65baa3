r"""Batched torch twin of :mod:`attnlab.theory.urpe.transformer`: the same block and position schemes on
(batch, n, d) tensors, trainable, with :meth:`RPETransformer.from_theory` copying a numpy model exactly.

Logit and output of head h (see :mod:`attnlab.theory.urpe.positions` for which terms each family uses):
$\ell_{ij} = s[(q_i + u)^\top k_j + (q_i + w)^\top R^K_{j-i} + k_j^\top R^Q_{j-i}] + B_{j-i}$,
$z_i = \sum_j \mathrm{softmax}_j(\ell_{i\cdot}) C_{j-i} (v_j + R^V_{j-i})$. Tables indexed by $k = j - i$ at
$k + n_{\max} - 1$, shared by all layers, one per head. Training init (:func:`build_rpe_transformer`): B ~ N(0, 0.02)
and C = 1 as the released URPE scripts (``--constant-init-ur-attn``, spec 2.7); ALiBi slopes and RoPE
frequencies are fixed buffers.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from attnlab.theory.urpe.positions import FAMILIES, alibi_slopes, t5_bucket

__all__ = ["RPETransformer", "build_rpe_transformer"]

_TABLES = ("B", "C", "E", "RK", "RQ", "RV", "u", "w")


def _rope(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    n, dh = x.shape[-2], x.shape[-1]
    theta = base ** (-torch.arange(0, dh, 2, dtype=x.dtype, device=x.device) / dh)
    ang = torch.arange(n, dtype=x.dtype, device=x.device)[:, None] * theta[None, :]
    cos, sin = torch.cos(ang), torch.sin(ang)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)


class RPETransformer(nn.Module):
    """(batch, n, d) -> (batch, n, d). Per-layer weights stacked on a leading layer axis."""

    def __init__(self, family: str, n_layers: int, d_model: int, n_heads: int, d_head: int, d_ff: int,
                 n_max: int, causal: bool = False, ln: str = "post", dtype=torch.float32, logit_scale_factor=1.0):
        super().__init__()
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; valid: {FAMILIES}")
        self.family, self.causal, self.ln, self.n_max = family, causal, ln, n_max
        self.logit_scale_factor = float(logit_scale_factor)
        L, d, H, dh, f = n_layers, d_model, n_heads, d_head, d_ff
        p = lambda *s: nn.Parameter(torch.zeros(*s, dtype=dtype))  # noqa: E731
        self.Wq, self.Wk, self.Wv, self.bv, self.Wo = p(L, H, d, dh), p(L, H, d, dh), p(L, H, d, dh), p(L, H, dh), p(L, H, dh, d)
        self.W1, self.b1, self.W2, self.b2 = p(L, d, f), p(L, f), p(L, f, d), p(L, d)
        self.ln1_g, self.ln1_b, self.ln2_g, self.ln2_b = p(L, d), p(L, d), p(L, d), p(L, d)
        self.rope = family == "rope"
        for name in _TABLES:
            setattr(self, name, None)

    def set_table(self, name: str, value, trainable: bool = True) -> None:
        t = torch.as_tensor(np.asarray(value), dtype=self.Wq.dtype)
        if name in self.__dict__:  # the None placeholder set in __init__
            delattr(self, name)
        if trainable:
            setattr(self, name, nn.Parameter(t))
        else:
            self.register_buffer(name, t)

    @classmethod
    def from_theory(cls, model, dtype=torch.float64) -> RPETransformer:
        """A torch copy of a :class:`attnlab.theory.urpe.transformer.Transformer` (same numbers)."""
        lay0 = model.layers[0]
        H, d, dh = lay0.Wq.shape
        out = cls(model.pos.family, len(model.layers), d, H, dh, lay0.W1.shape[1], model.pos.n_max,
                  model.causal, model.ln, dtype, model.pos.logit_scale_factor)
        out.rope = model.pos.rope
        with torch.no_grad():
            for name in ("Wq", "Wk", "Wv", "bv", "Wo", "W1", "b1", "W2", "b2", "ln1_g", "ln1_b", "ln2_g", "ln2_b"):
                getattr(out, name).copy_(torch.as_tensor(np.stack([getattr(lay, name) for lay in model.layers])))
        for name in _TABLES:
            value = getattr(model.pos, name)
            if value is not None:
                out.set_table(name, value)
        return out

    def _offset_index(self, n: int, device) -> torch.Tensor:
        i = torch.arange(n, device=device)
        return i[None, :] - i[:, None] + self.n_max - 1

    def _ln(self, X, g, b):
        return nn.functional.layer_norm(X, (X.shape[-1],), g, b, eps=1e-5)

    def attention_matrix(self, X: torch.Tensor, layer: int) -> torch.Tensor:
        """softmax(logits) times C: (batch, H, n, n)."""
        n = X.shape[1]
        idx = self._offset_index(n, X.device)
        q = torch.einsum("bnd,hde->bhne", X, self.Wq[layer])
        k = torch.einsum("bnd,hde->bhne", X, self.Wk[layer])
        if self.rope:
            q, k = _rope(q), _rope(k)
        qu = q if self.u is None else q + self.u[None, :, None, :]
        logits = torch.einsum("bhie,bhje->bhij", qu, k)
        if self.RK is not None:
            qw = q if self.w is None else q + self.w[None, :, None, :]
            logits = logits + torch.einsum("bhie,hije->bhij", qw, self.RK[:, idx])
        if self.RQ is not None:
            logits = logits + torch.einsum("bhje,hije->bhij", k, self.RQ[:, idx])
        logits = logits * (self.logit_scale_factor / math.sqrt(q.shape[-1]))
        if self.B is not None:
            logits = logits + self.B[:, idx][None]
        if self.causal:
            mask = torch.ones(n, n, dtype=torch.bool, device=X.device).tril()
            logits = logits.masked_fill(~mask, float("-inf"))
        A = torch.softmax(logits, dim=-1)
        return A if self.C is None else A * self.C[:, idx][None]

    def _attention(self, X, layer):
        n = X.shape[1]
        A = self.attention_matrix(X, layer)
        v = torch.einsum("bnd,hde->bhne", X, self.Wv[layer]) + self.bv[layer][None, :, None, :]
        Z = A @ v
        if self.RV is not None:
            Z = Z + torch.einsum("bhij,hije->bhie", A, self.RV[:, self._offset_index(n, X.device)])
        return torch.einsum("bhne,hed->bnd", Z, self.Wo[layer])

    def _ffn(self, X, layer):
        return torch.relu(X @ self.W1[layer] + self.b1[layer]) @ self.W2[layer] + self.b2[layer]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if self.E is not None:
            X = X + self.E[: X.shape[1]]
        for t in range(self.Wq.shape[0]):
            if self.ln == "pre":
                X = X + self._attention(self._ln(X, self.ln1_g[t], self.ln1_b[t]), t)
                X = X + self._ffn(self._ln(X, self.ln2_g[t], self.ln2_b[t]), t)
            elif self.ln == "post":
                X = self._ln(X + self._attention(X, t), self.ln1_g[t], self.ln1_b[t])
                X = self._ln(X + self._ffn(X, t), self.ln2_g[t], self.ln2_b[t])
            else:
                X = X + self._attention(X, t)
                X = X + self._ffn(X, t)
        return X


def build_rpe_transformer(family: str, n_layers: int, d_model: int, n_heads: int, n_max: int, *, causal=False,
                          ln: str = "post", d_ff: int | None = None, seed: int = 0, device=None,
                          dtype=torch.float32) -> RPETransformer:
    """A trainable model at the training init: weights N(0, 1/fan-in), B ~ N(0, 0.02), C = 1, APE ~ N(0, 0.02)."""
    gen = torch.Generator().manual_seed(seed)
    dh = max(2, d_model // n_heads + (d_model // n_heads) % 2)
    f = d_ff or 4 * d_model
    m = RPETransformer(family, n_layers, d_model, n_heads, dh, f, n_max, causal, ln, dtype,
                       1.0 / math.sqrt(3.0) if family == "deberta" else 1.0)
    H, K = n_heads, 2 * n_max - 1
    rn = lambda *s: torch.randn(*s, generator=gen, dtype=dtype)  # noqa: E731
    with torch.no_grad():
        for name, fan in (("Wq", d_model), ("Wk", d_model), ("Wv", d_model), ("Wo", H * dh), ("W1", d_model), ("W2", f)):
            getattr(m, name).copy_(rn(*getattr(m, name).shape) / math.sqrt(fan))
        m.ln1_g.fill_(1.0)
        m.ln2_g.fill_(1.0)
    ks = np.arange(K) - (n_max - 1)
    if family in ("t5", "urpe"):
        m.set_table("B", 0.02 * rn(H, K))
    if family == "urpe":
        m.set_table("C", torch.ones(H, K, dtype=dtype))
    if family == "t5_bucketed":  # bucket values expanded per offset; gradients flow to the expanded copy
        m.set_table("B", (0.02 * rn(H, 32))[:, t5_bucket(ks)])
    if family == "alibi":
        m.set_table("B", -alibi_slopes(H)[:, None] * np.abs(ks)[None, :], trainable=False)
    if family == "ape":
        m.set_table("E", 0.02 * rn(n_max, d_model))
    if family in ("shaw_k", "transformer_xl", "deberta"):
        m.set_table("RK", 0.02 * rn(H, K, dh))
    if family == "transformer_xl":
        m.set_table("u", torch.zeros(H, dh, dtype=dtype))
        m.set_table("w", torch.zeros(H, dh, dtype=dtype))
    if family == "deberta":
        m.set_table("RQ", 0.02 * rn(H, K, dh))
    if family == "shaw_v":
        m.set_table("RV", 0.02 * rn(H, K, dh))
    return m.to(device) if device is not None else m
