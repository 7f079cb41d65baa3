r"""Regression with an MLP representation (spec A4 [derived]; the paper's theorem is [unverified], PDF needed).

Task [src: Guo et al. 2023 abstract]: :math:`y_i = w^\top \Phi^*(x_i)`, :math:`\Phi^*(x) =
\sigma_a(B_L \cdots \sigma_a(B_1 x))` a fixed bias-free leaky-ReLU MLP, w fresh per prompt.
Garg/Yang interleaved prompt :math:`x_1, y_1, \ldots, x_n, y_n, x_q` (N = 2n + 1 tokens); slots x (d), y (1),
z and z2 (:math:`D_\Phi` each, the representation ping-pongs between them), pos (N, one-hot).

* TF_pre: L leaky-ReLU MLP sublayers (:func:`~.primitives.leaky_mlp`; y tokens have x = 0 so
  :math:`\Phi = 0` there), then one copy head: every x-token receives the y of the next token.
* TF_loop: the residual GD head on the representation slot, keys = the n context x-tokens (scale 1/n).
* TF_post: an MLP negating the y-slot, so the query's y-slot is :math:`w_T^\top \Phi^*(x_q)`.

With a softmax copy head (inverse temperature :math:`\beta`) the copy is inexact:
:func:`copy_error` measures it (spec A5).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import Block, attention_sublayer
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout
from attnlab.theory.algoformer.primitives import (
    copy_head,
    leaky_mlp,
    leaky_relu,
    negate_mlp,
    residual_gd_head,
)
from attnlab.theory.errors import InvalidInputError

__all__ = ["phi", "representation_layout", "representation_tokens", "representation_algoformer",
           "representation_predictions", "feature_slot", "copy_error"]


def phi(x, Bs, a: float) -> np.ndarray:
    """The representation :math:`\\Phi^*(x)` applied to the last axis."""
    z = np.asarray(x, float)
    for B in Bs:
        z = leaky_relu(z @ np.asarray(B, float).T, a)
    return z


def representation_layout(d: int, D_phi: int, N: int) -> Layout:
    return Layout(x=d, y=1, z=D_phi, z2=D_phi, pos=N)


def feature_slot(L_layers: int) -> str:
    """Where Phi ends up after L MLP sublayers: z after odd L, z2 after even L."""
    return "z" if L_layers % 2 == 1 else "z2"


def representation_tokens(X, y, xq, D_phi: int) -> np.ndarray:
    X, y, xq = (np.asarray(a, float) for a in (X, y, xq))
    n, d = X.shape[-2], X.shape[-1]
    N = 2 * n + 1
    L = representation_layout(d, D_phi, N)
    H = L.tokens(N, X.shape[:-2], pos=np.eye(N))
    H[..., 0:2 * n:2, L["x"]] = X
    H[..., 1:2 * n:2, L["y"]] = y[..., None]
    H[..., 2 * n, L["x"]] = xq
    return H


def representation_algoformer(Bs, a: float, n: int, eta: float, copy_kind: str = "linear",
                              beta: float = 1.0) -> AlgoFormer:
    if not Bs:
        raise InvalidInputError("the representation needs at least one layer")
    d, D_phi, N = np.shape(Bs[0])[1], np.shape(Bs[0])[0], 2 * n + 1
    L = representation_layout(d, D_phi, N)
    src, mlps = "x", []
    for ell, B in enumerate(Bs):
        dst = feature_slot(ell + 1)
        mlps.append(leaky_mlp(L, dst, src, B, a))
        src = dst
    pre = Block((*mlps, (copy_head(L, "y", "y", N, 1, kind=copy_kind, beta=beta),)))
    loop = Block(((residual_gd_head(L, src, "y", eta, tuple(range(0, 2 * n, 2))),),))
    post = Block((negate_mlp(L, "y"),))
    return AlgoFormer(pre=(pre,), loop=loop, post=(post,))


def representation_predictions(X, y, xq, Bs, a: float, eta: float, T: int, **copy) -> np.ndarray:
    """Query's y-slot after pre, t loops, post; t = 0..T, shape (T+1, ...)."""
    X = np.asarray(X, float)
    n = X.shape[-2]
    D_phi = np.shape(Bs[0])[0]
    model = representation_algoformer(Bs, a, n, eta, **copy)
    return model.loop_trace(representation_tokens(X, y, xq, D_phi), T, lambda H: H[..., 2 * n, X.shape[-1]],
                            post=True)


def copy_error(values, beta: float | None) -> float:
    r"""Max over tokens j < N-1 of |copied - v_{j+1}| for a copy head over N tokens carrying ``values`` (N,).

    ``beta=None`` is the linear (exact) head; otherwise softmax with logits :math:`\beta\langle
    \mathrm{pos}_i, S_1 \mathrm{pos}_j\rangle`. The last token has no successor and is not scored.
    """
    v = np.asarray(values, float)
    N = v.shape[-1]
    L = Layout(src=1, dst=1, pos=N)
    head = copy_head(L, "dst", "src", N, 1, kind="linear" if beta is None else "softmax",
                     beta=1.0 if beta is None else beta)
    H = L.tokens(N, v.shape[:-1], pos=np.eye(N))
    H[..., L["src"]] = v[..., None]
    out = attention_sublayer(H, (head,))[..., :-1, L["dst"].start]
    return float(np.max(np.abs(out - v[..., 1:])))
