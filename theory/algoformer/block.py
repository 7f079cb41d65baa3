r"""The explicit transformer block in float64: attention heads (linear, ReLU, softmax), ReLU MLP, residual.

Tokens are the **rows** of :math:`H \in \mathbb{R}^{N \times D}` (any leading batch axes broadcast). One
attention head with weights :math:`Q, K, V \in \mathbb{R}^{D \times D}`, key rows :math:`\mathcal C` and scale
:math:`c` updates every row :math:`j`:

.. math::

    h_j \leftarrow h_j + c \sum_{i \in \mathcal C} (V h_i)\, \phi(\langle K h_i, Q h_j \rangle),

with :math:`\phi(s) = s` (linear), :math:`\phi(s) = \max(s, 0)` (ReLU, Bai et al. 2023) or, for softmax,
:math:`\phi` replaced by the softmax over :math:`i \in \mathcal C` of :math:`\beta \langle K h_i, Q h_j\rangle`.
Heads of one sublayer all read the same input and their outputs add. The MLP sublayer is
:math:`h \leftarrow h + W_2\, \mathrm{ReLU}(W_1 h)`. A :class:`Block` is a sequence of sublayers; a loop
applies one block (weights tied) T times.

The key set :math:`\mathcal C` is an attention mask; constructions use it to keep the query out of the keys
(spec pitfall 3). Notation map: spec ``algoformer.md`` §2.2 (conventions [derived]); the paper's own layer
definition is [unverified] (PDF needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError

__all__ = ["Head", "MLP", "Block", "KINDS", "attention_sublayer", "apply_mlp", "apply_block", "apply_blocks",
           "run_loop", "loop_trace", "linear_attention"]

KINDS = ("linear", "relu", "softmax")


@dataclass(frozen=True, eq=False)
class Head:
    r"""One attention head. ``keys``: row indices of the keys (``None`` = every row); ``scale`` c (``None`` =
    1/|keys| for linear and ReLU heads, 1 for softmax); ``beta`` the softmax inverse temperature."""

    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    kind: str = "linear"
    keys: tuple[int, ...] | None = None
    scale: float | None = None
    beta: float = 1.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InvalidInputError(f"attention kind must be one of {KINDS}, got {self.kind!r}")
        shapes = {np.shape(self.Q), np.shape(self.K), np.shape(self.V)}
        if len(shapes) != 1 or len(next(iter(shapes))) != 2:
            raise InvalidInputError(f"Q, K, V must be square matrices of one size, got shapes {sorted(shapes)}")


@dataclass(frozen=True, eq=False)
class MLP:
    r"""ReLU MLP sublayer :math:`h \leftarrow h + W_2 \mathrm{ReLU}(W_1 h)`, :math:`W_1 \in \mathbb{R}^{m \times D}`,
    :math:`W_2 \in \mathbb{R}^{D \times m}`."""

    W1: np.ndarray
    W2: np.ndarray


@dataclass(frozen=True, eq=False)
class Block:
    """A sequence of sublayers; each is a tuple of heads (one attention sublayer) or an :class:`MLP`."""

    sublayers: tuple = field(default_factory=tuple)


def _keys(H: np.ndarray, keys) -> np.ndarray:
    return H if keys is None else H[..., list(keys), :]


def _head_output(H: np.ndarray, h: Head) -> np.ndarray:
    Hk = _keys(H, h.keys)
    scores = (H @ h.Q.T) @ np.swapaxes(Hk @ h.K.T, -1, -2)  # (..., N, |C|): <K h_i, Q h_j>
    values = Hk @ h.V.T  # (..., |C|, D)
    if h.kind == "softmax":
        logits = h.beta * scores
        logits = logits - logits.max(axis=-1, keepdims=True)
        w = np.exp(logits)
        w /= w.sum(axis=-1, keepdims=True)
        return (1.0 if h.scale is None else h.scale) * (w @ values)
    if h.kind == "relu":
        scores = np.maximum(scores, 0.0)
    c = 1.0 / Hk.shape[-2] if h.scale is None else h.scale
    return c * (scores @ values)


def attention_sublayer(H: np.ndarray, heads) -> np.ndarray:
    """Residual attention sublayer: every head reads ``H``; their outputs add to ``H``."""
    return H + sum(_head_output(H, h) for h in heads)


def apply_mlp(H: np.ndarray, mlp: MLP) -> np.ndarray:
    return H + np.maximum(H @ mlp.W1.T, 0.0) @ mlp.W2.T


def apply_block(H: np.ndarray, block: Block) -> np.ndarray:
    for sub in block.sublayers:
        H = apply_mlp(H, sub) if isinstance(sub, MLP) else attention_sublayer(H, sub)
    return H


def apply_blocks(H: np.ndarray, blocks) -> np.ndarray:
    """A standard (unshared) stack: each block once, in order."""
    for b in blocks:
        H = apply_block(H, b)
    return H


def run_loop(H: np.ndarray, block: Block, T: int) -> np.ndarray:
    """T applications of one weight-tied block."""
    if T < 0:
        raise InvalidInputError(f"loop count T must be >= 0, got {T}")
    for _ in range(T):
        H = apply_block(H, block)
    return H


def loop_trace(H: np.ndarray, block: Block, T: int, read) -> np.ndarray:
    """``read(H_t)`` for t = 0..T, stacked on a new leading axis (length T + 1)."""
    out = [read(H)]
    for _ in range(T):
        H = apply_block(H, block)
        out.append(read(H))
    return np.stack(out)


def linear_attention(H, Q, K, V, n_context: int) -> np.ndarray:
    r"""Public API (issue 11): :math:`H + \frac1{n_c}\sum_{i < n_c} (V h_i)\langle K h_i, Q h_j\rangle` for every row j.

    Args:
        H: tokens as rows, :math:`(\ldots, N, D)`; the first ``n_context`` rows are the keys.
        Q, K, V: :math:`(D, D)`.
        n_context: number of key rows, :math:`1 \le n_c \le N`.
    """
    H = as_float_array("H", H)
    if H.ndim < 2:
        raise InvalidInputError(f"H must be (..., N, D) with tokens as rows, got shape {H.shape}")
    if not 1 <= n_context <= H.shape[-2]:
        raise InvalidInputError(f"n_context must lie in [1, N={H.shape[-2]}], got {n_context}")
    head = Head(as_float_array("Q", Q), as_float_array("K", K), as_float_array("V", V), keys=tuple(range(n_context)))
    if head.Q.shape[0] != H.shape[-1]:
        raise InvalidInputError(f"Q, K, V are {head.Q.shape} but tokens have D = {H.shape[-1]}")
    return attention_sublayer(H, (head,))
