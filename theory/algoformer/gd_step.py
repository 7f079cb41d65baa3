r"""One loop = one GD step on in-context least squares: von Oswald form and token-carries-w (Bai) form.

**von Oswald form** (spec A1 [derived minimal version of the official construction]). Tokens
:math:`h_i = (x_i, y_i) \in \mathbb{R}^{d+1}` for the n context rows, the query :math:`h_q = (x_q, 0)`;
:math:`Q = K = \mathrm{diag}(I_d, 0)` and V has one non-zero entry :math:`-\eta` at (y, y). One linear
attention layer over the context keys (scale 1/n) maps the invariant

.. math::  y\text{-slot}_i = y_i - w_t^\top x_i, \qquad y\text{-slot}_q = -w_t^\top x_q

to the same with :math:`w_{t+1} = w_t - \frac\eta n X^\top(Xw_t - y)`, so T loops leave
:math:`-w_T^\top x_q` in the query's last entry (read out with a sign flip, spec pitfall 2).

**Token-carries-w form** (spec A2 [derived], Bai et al. format). Token :math:`(x, y, w, 1, t)`; two ReLU heads
with :math:`\langle Qh_j, Kh_i\rangle = \pm(w_j^\top x_i - y_i)` and values :math:`\mp\eta x_i` into the w-slot
add up, by :math:`\mathrm{ReLU}(s) - \mathrm{ReLU}(-s) = s`, to exactly one GD step on every token's w. A
post layer (linear head, key = the query itself) writes :math:`w_T^\top x_q` into the query's y-slot.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import Block, Head, linear_attention
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout
from attnlab.theory.errors import InvalidInputError

__all__ = ["gd_weights", "gd_tokens", "gd_block", "gd_loop_predictions", "bai_layout", "bai_tokens",
           "bai_algoformer", "bai_w_trace"]


def gd_weights(d: int, eta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Public API (issue 11): (Q, K, V), each :math:`(d+1) \times (d+1)`, for :func:`linear_attention`.

    T applications of ``linear_attention(H, Q, K, V, n)`` to the rows :math:`(x_i, y_i)`, i < n, and
    :math:`(x_q, 0)` leave :math:`-w_T^\top x_q` in the query's last entry, :math:`w_T` being T GD steps
    with step :math:`\eta` from :math:`w_0 = 0` on :math:`\frac1{2n}\sum_i (w^\top x_i - y_i)^2`.
    """
    if d < 1:
        raise InvalidInputError(f"d must be >= 1, got {d}")
    P = np.diag(np.r_[np.ones(d), 0.0])
    V = np.zeros((d + 1, d + 1))
    V[d, d] = -float(eta)
    return P, P.copy(), V


def gd_tokens(X, y, xq) -> np.ndarray:
    """Rows (x_i, y_i) then (x_q, 0); batched over leading axes: X (..., n, d), y (..., n), xq (..., d)."""
    X, y, xq = (np.asarray(a, float) for a in (X, y, xq))
    ctx = np.concatenate([X, y[..., None]], axis=-1)
    q = np.concatenate([xq, np.zeros((*xq.shape[:-1], 1))], axis=-1)[..., None, :]
    return np.concatenate([ctx, q], axis=-2)


def gd_block(d: int, eta: float, n: int) -> Block:
    Q, K, V = gd_weights(d, eta)
    return Block(((Head(Q, K, V, keys=tuple(range(n))),),))


def gd_loop_predictions(X, y, xq, eta: float, T: int) -> np.ndarray:
    r""":math:`\hat y_t = -(\text{query's last entry})` after t loops, t = 0..T; shape (T+1, ...)."""
    H = gd_tokens(X, y, xq)
    n, d = H.shape[-2] - 1, H.shape[-1] - 1
    Q, K, V = gd_weights(d, eta)
    out = [-H[..., n, d]]
    for _ in range(T):
        H = linear_attention(H, Q, K, V, n)
        out.append(-H[..., n, d])
    return np.stack(out)


def bai_layout(d: int) -> Layout:
    return Layout(x=d, y=1, w=d, one=1, t=1)


def bai_tokens(X, y, xq) -> np.ndarray:
    X, y, xq = (np.asarray(a, float) for a in (X, y, xq))
    n, d = X.shape[-2], X.shape[-1]
    L = bai_layout(d)
    H = L.tokens(n + 1, X.shape[:-2], one=1.0)
    H[..., :n, L["x"]] = X
    H[..., :n, L["y"]] = y[..., None]
    H[..., n, L["x"]] = xq
    H[..., n, L["t"]] = 1.0
    return H


def _bai_gd_block(d: int, eta: float, n: int) -> Block:
    L = bai_layout(d)
    Q = L.move("x", "w") + L.move("y", "one")  # Q h_j = (w_j, 1)
    K = L.move("x", "x") - L.move("y", "y")  # K h_i = (x_i, -y_i): <K h_i, Q h_j> = w_j^T x_i - y_i
    keys = tuple(range(n))
    plus = Head(Q, K, -eta * L.move("w", "x"), kind="relu", keys=keys)
    minus = Head(-Q, K, eta * L.move("w", "x"), kind="relu", keys=keys)
    return Block(((plus, minus),))


def _bai_readout(d: int, n: int) -> Block:
    L = bai_layout(d)
    head = Head(L.move("x", "x"), L.move("x", "w"), L.move("y", "t"), keys=(n,), scale=1.0)
    return Block(((head,),))


def bai_algoformer(d: int, eta: float, n: int) -> AlgoFormer:
    """No pre-transformer; loop = the two-ReLU-head GD layer; post = the read-out layer (y-slot of the query)."""
    return AlgoFormer(pre=(), loop=_bai_gd_block(d, eta, n), post=(_bai_readout(d, n),))


def bai_w_trace(X, y, xq, eta: float, T: int) -> np.ndarray:
    """The w-slot of every token after t loops, t = 0..T: shape (T+1, ..., n+1, d)."""
    X = np.asarray(X, float)
    n, d = X.shape[-2], X.shape[-1]
    model = bai_algoformer(d, eta, n)
    return model.loop_trace(bai_tokens(X, y, xq), T, lambda H: H[..., bai_layout(d)["w"]])


