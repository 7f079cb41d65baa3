r"""A small explicit float64 transformer with every position scheme of :mod:`.positions`.

Block (poster, section "theory block", plus the code's LayerNorm and $1/\sqrt{dh}$ [src: spec 2.1]):

.. math::
    \mathrm{Attn}(X)_i = \sum_h \Big(\sum_j \alpha^h_{ij} C^h_{j-i} (x_j W_V^h + b_V^h + R^{V,h}_{j-i})\Big) W_O^h,
    \qquad \mathrm{FFN}(X) = \mathrm{ReLU}(X W_1 + b_1) W_2 + b_2,

with $\alpha^h = \mathrm{softmax}(\ell^h)$ row-wise over the keys a query may see (all of them, or $j \le i$
when ``causal``). ``ln = "post"``: $X \leftarrow \mathrm{LN}(X + \mathrm{Attn}(X))$,
$X \leftarrow \mathrm{LN}(X + \mathrm{FFN}(X))$ (the URPE code, fairseq RoBERTa); ``"pre"``:
$X \leftarrow X + \mathrm{Attn}(\mathrm{LN}(X))$, ...; ``"none"``: the poster's block without LayerNorm.

Shapes: $X \in \mathbb{R}^{n \times d}$, $W_Q^h, W_K^h, W_V^h \in \mathbb{R}^{d \times dh}$,
$W_O^h \in \mathbb{R}^{dh \times d}$. Paper notation: our $W_V^h W_O^h$ is the poster's $W_V^h W_O^h$; our
tables B, C are the code's per-head ``rel_pos`` / ``ur_attn`` lookups indexed by $j - i$.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.urpe.positions import (
    PositionParams,
    random_position_params,
    rope_rotate,
    table_to_matrix,
)

__all__ = [
    "Layer", "Transformer", "random_model", "urpe_model", "random_layers", "prepend_bos", "with_position",
    "attention_probs", "effective_attention", "head_outputs", "LN_MODES",
]

LN_MODES = ("pre", "post", "none")
_LN_EPS = 1e-5


@dataclass(frozen=True)
class Layer:
    """One block's weights. Heads on the leading axis: Wq, Wk, Wv (H, d, dh); bv (H, dh); Wo (H, dh, d)."""

    Wq: np.ndarray
    Wk: np.ndarray
    Wv: np.ndarray
    bv: np.ndarray
    Wo: np.ndarray
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(X, g, b):
    mu = X.mean(axis=-1, keepdims=True)
    var = X.var(axis=-1, keepdims=True)
    return (X - mu) / np.sqrt(var + _LN_EPS) * g + b


def _softmax_rows(L: np.ndarray) -> np.ndarray:
    m = np.max(L, axis=-1, keepdims=True)
    e = np.exp(L - m)
    return e / e.sum(axis=-1, keepdims=True)


def attention_probs(layer: Layer, pos: PositionParams, X: np.ndarray, causal: bool) -> np.ndarray:
    r"""Row-stochastic $\alpha \in \mathbb{R}^{H \times n \times n}$ (before URPE's C)."""
    n = X.shape[0]
    dh = layer.Wq.shape[2]
    q = np.einsum("nd,hde->hne", X, layer.Wq)
    k = np.einsum("nd,hde->hne", X, layer.Wk)
    if pos.rope:
        q, k = rope_rotate(q), rope_rotate(k)
    qu = q if pos.u is None else q + pos.u[:, None, :]
    L = np.einsum("hie,hje->hij", qu, k)
    if pos.RK is not None:
        qw = q if pos.w is None else q + pos.w[:, None, :]
        L = L + np.einsum("hie,hije->hij", qw, table_to_matrix(pos.RK, n, pos.n_max))
    if pos.RQ is not None:
        L = L + np.einsum("hje,hije->hij", k, table_to_matrix(pos.RQ, n, pos.n_max))
    L = L * (pos.logit_scale_factor / np.sqrt(dh))
    if pos.B is not None:
        L = L + table_to_matrix(pos.B, n, pos.n_max)
    if causal:
        L = np.where(np.tril(np.ones((n, n), dtype=bool)), L, -np.inf)
    return _softmax_rows(L)


def effective_attention(layer: Layer, pos: PositionParams, X: np.ndarray, causal: bool) -> np.ndarray:
    r"""$\alpha^h \odot C^h$ (URPE; $\alpha^h$ itself for other families), shape (H, n, n)."""
    A = attention_probs(layer, pos, X, causal)
    return A if pos.C is None else A * table_to_matrix(pos.C, X.shape[0], pos.n_max)


def head_outputs(layer: Layer, pos: PositionParams, X: np.ndarray, causal: bool) -> np.ndarray:
    r"""Per-head outputs $z^h \in \mathbb{R}^{H \times n \times dh}$ (C and the value-side table applied)."""
    n = X.shape[0]
    A = effective_attention(layer, pos, X, causal)
    v = np.einsum("nd,hde->hne", X, layer.Wv) + layer.bv[:, None, :]
    Z = np.einsum("hij,hje->hie", A, v)
    if pos.RV is not None:
        Z = Z + np.einsum("hij,hije->hie", A, table_to_matrix(pos.RV, n, pos.n_max))
    return Z


def _attention(layer, pos, X, causal):
    return np.einsum("hne,hed->nd", head_outputs(layer, pos, X, causal), layer.Wo)


def _ffn(layer, X):
    return np.maximum(X @ layer.W1 + layer.b1, 0.0) @ layer.W2 + layer.b2


@dataclass(frozen=True)
class Transformer:
    """Callable model ``(n, d) -> (n, d)``; position tables ``pos`` shared by all layers."""

    layers: tuple[Layer, ...]
    pos: PositionParams
    causal: bool = False
    ln: str = "post"

    def __post_init__(self):
        if self.ln not in LN_MODES:
            raise InvalidInputError(f"ln must be one of {LN_MODES}, got {self.ln!r}")

    @property
    def d_model(self) -> int:
        return self.layers[0].Wq.shape[1]

    def __call__(self, X) -> np.ndarray:
        X = as_float_array("X", X, ndim=2)
        if X.shape[1] != self.d_model:
            raise InvalidInputError(f"X must have d_model = {self.d_model} columns, got shape {X.shape}")
        if X.shape[0] < 1 or X.shape[0] > self.pos.n_max:
            raise InvalidInputError(f"sequence length must lie in [1, n_max={self.pos.n_max}], got {X.shape[0]}")
        if self.pos.E is not None:
            X = X + self.pos.E[: X.shape[0]]
        for lay in self.layers:
            if self.ln == "pre":
                X = X + _attention(lay, self.pos, _layer_norm(X, lay.ln1_g, lay.ln1_b), self.causal)
                X = X + _ffn(lay, _layer_norm(X, lay.ln2_g, lay.ln2_b))
            elif self.ln == "post":
                X = _layer_norm(X + _attention(lay, self.pos, X, self.causal), lay.ln1_g, lay.ln1_b)
                X = _layer_norm(X + _ffn(lay, X), lay.ln2_g, lay.ln2_b)
            else:
                X = X + _attention(lay, self.pos, X, self.causal)
                X = X + _ffn(lay, X)
        return X


def _d_head(d_model: int, n_heads: int) -> int:
    """d_model // n_heads rounded up to an even width >= 2 (RoPE rotates channel pairs)."""
    dh = max(1, d_model // n_heads)
    return dh + (dh % 2)


def random_layers(n_layers: int, d_model: int, n_heads: int, d_head: int, rng: np.random.Generator,
                  d_ff: int | None = None) -> tuple[Layer, ...]:
    """Gaussian weights at scale 1/sqrt(fan-in); LayerNorm gains near 1 and biases near 0."""
    d, H, dh = d_model, n_heads, d_head
    f = d_ff or 2 * d
    g = rng.standard_normal
    out = []
    for _ in range(n_layers):
        out.append(Layer(
            Wq=g((H, d, dh)) / np.sqrt(d), Wk=g((H, d, dh)) / np.sqrt(d), Wv=g((H, d, dh)) / np.sqrt(d),
            bv=0.1 * g((H, dh)), Wo=g((H, dh, d)) / np.sqrt(H * dh),
            W1=g((d, f)) / np.sqrt(d), b1=0.1 * g(f), W2=g((f, d)) / np.sqrt(f), b2=0.1 * g(d),
            ln1_g=1.0 + 0.1 * g(d), ln1_b=0.1 * g(d), ln2_g=1.0 + 0.1 * g(d), ln2_b=0.1 * g(d),
        ))
    return tuple(out)


def _check_sizes(n_layers, d_model, n_heads):
    if n_layers < 1 or d_model < 1 or n_heads < 1:
        raise InvalidInputError(f"need n_layers, d_model, n_heads >= 1; got {n_layers}, {d_model}, {n_heads}")


def random_model(family: str, n_layers: int, d_model: int, n_heads: int, causal: bool, seed: int, *,
                 n_max: int = 64, ln: str = "post", bias_scale: float = 1.0) -> Transformer:
    """A random float64 transformer with position scheme ``family`` (one of :data:`.positions.FAMILIES`).

    Returns a callable mapping an (n, d_model) array, n <= ``n_max``, to an (n, d_model) array. For
    ``"urpe"`` C is random around 1 (asymmetric); :func:`urpe_model` takes explicit tables.
    """
    _check_sizes(n_layers, d_model, n_heads)
    rng = np.random.default_rng(seed)
    dh = _d_head(d_model, n_heads)
    layers = random_layers(n_layers, d_model, n_heads, dh, rng)
    pos = random_position_params(family, n_heads, d_model, dh, n_max, rng, bias_scale)
    return Transformer(layers, pos, causal=causal, ln=ln)


def urpe_model(B, C, n_layers: int, d_model: int, seed: int, causal: bool = False, *, ln: str = "post") -> Transformer:
    r"""URPE transformer with explicit tables ``B, C`` in $\mathbb{R}^{H \times (2 n_{\max} - 1)}$.

    Entry ``[h, k + n_max - 1]`` is head h's value at offset $k = j - i$; other weights random from ``seed``.
    """
    B = as_float_array("B", B, ndim=2)
    C = as_float_array("C", C, ndim=2)
    if B.shape != C.shape or B.shape[1] % 2 == 0:
        raise InvalidInputError(f"B and C must share a shape (n_heads, 2*n_max-1); got {B.shape}, {C.shape}")
    n_heads, n_max = B.shape[0], (B.shape[1] + 1) // 2
    _check_sizes(n_layers, d_model, n_heads)
    rng = np.random.default_rng(seed)
    layers = random_layers(n_layers, d_model, n_heads, _d_head(d_model, n_heads), rng)
    return Transformer(layers, PositionParams("urpe", n_max, B=B, C=C), causal=causal, ln=ln)


def prepend_bos(model: Transformer, bos: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``X -> model([bos; X])[1:]``: a distinct first token (Kazemnejad et al. 2023; spec C4)."""
    bos = as_float_array("bos", bos, ndim=1)

    def f(X):
        X = as_float_array("X", X, ndim=2)
        return model(np.vstack([bos[None, :], X]))[1:]

    return f


def with_position(model: Transformer, **tables) -> Transformer:
    """The same weights with some position tables replaced (e.g. ``C=...``)."""
    return replace(model, pos=replace(model.pos, **tables))
