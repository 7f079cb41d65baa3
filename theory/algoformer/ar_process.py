r"""AR(q) with representation (spec A6 [derived]; AlgoFormer's form is [unverified], PDF needed).

Sequence :math:`x_0, \ldots, x_{N-1} \in \mathbb{R}^d` with :math:`x_{t+1} = W\,\Phi^*(\bar x_t) + \varepsilon_t`,
window :math:`\bar x_t = (x_t, x_{t-1}, \ldots, x_{t-q+1}) \in \mathbb{R}^{qd}` (zero-padded before t = 0),
:math:`W \in \mathbb{R}^{d \times D_\Phi}` fresh per sequence. Slots x, win_0..win_{q-1}, z, z2, r, pos.

* TF_pre: q copy heads (query :math:`S_{-k}\mathrm{pos}`) write :math:`x_{t-k}` into win_k; the leaky MLP
  computes :math:`\Phi^*` of the window (the window slots are contiguous, in the order above); one more
  copy head writes the target :math:`x_{t+1}` into the residual slot r.
* TF_loop: multi-output residual GD on W, keys = tokens q-1 .. N-2 (complete window, known target).
* TF_post: negate r; the last token's r is then :math:`W_T \Phi^*(\bar x_{N-1})`, the next-step prediction.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import Block, Head
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout, shift
from attnlab.theory.algoformer.primitives import copy_head, leaky_mlp, negate_mlp, residual_gd_head
from attnlab.theory.algoformer.representation import feature_slot
from attnlab.theory.errors import InvalidInputError

__all__ = ["ar_layout", "ar_tokens", "ar_windows", "ar_algoformer", "ar_predictions", "ar_context"]


def ar_layout(d: int, q: int, D_phi: int, N: int) -> Layout:
    return Layout(x=d, win=q * d, z=D_phi, z2=D_phi, r=d, pos=N)


def ar_context(q: int, N: int) -> tuple[int, ...]:
    if N - 1 <= q - 1:
        raise InvalidInputError(f"a sequence of N={N} tokens has no complete window with a target for q={q}")
    return tuple(range(q - 1, N - 1))


def ar_windows(x, q: int) -> np.ndarray:
    """:math:`\\bar x_t` for every t: shape (..., N, q d), zero-padded."""
    x = np.asarray(x, float)
    N = x.shape[-2]
    parts = []
    for k in range(q):
        p = np.zeros_like(x)
        p[..., k:, :] = x[..., :N - k, :]
        parts.append(p)
    return np.concatenate(parts, axis=-1)


def ar_tokens(x, q: int, D_phi: int) -> np.ndarray:
    x = np.asarray(x, float)
    N, d = x.shape[-2], x.shape[-1]
    L = ar_layout(d, q, D_phi, N)
    return L.tokens(N, x.shape[:-2], x=x, pos=np.eye(N))


def ar_algoformer(Bs, a: float, d: int, q: int, N: int, eta: float) -> AlgoFormer:
    D_phi = np.shape(Bs[0])[0]
    L = ar_layout(d, q, D_phi, N)
    gather = []
    for k in range(q):
        V = np.zeros((L.D, L.D))
        V[L["win"].start + k * d:L["win"].start + (k + 1) * d, L["x"]] = np.eye(d)
        gather.append(Head(L.move("pos", "pos", shift(N, -k)), L.move("pos", "pos"), V, scale=1.0))
    src, mlps = "win", []
    for ell, B in enumerate(Bs):
        dst = feature_slot(ell + 1)
        mlps.append(leaky_mlp(L, dst, src, B, a))
        src = dst
    pre = Block((tuple(gather), *mlps, (copy_head(L, "r", "x", N, 1),)))
    loop = Block(((residual_gd_head(L, src, "r", eta, ar_context(q, N)),),))
    return AlgoFormer(pre=(pre,), loop=loop, post=(Block((negate_mlp(L, "r"),)),))


def ar_predictions(x, Bs, a: float, q: int, eta: float, T: int) -> np.ndarray:
    """Next-step prediction (last token's r after post) for t = 0..T loops: shape (T+1, ..., d)."""
    x = np.asarray(x, float)
    N, d = x.shape[-2], x.shape[-1]
    D_phi = np.shape(Bs[0])[0]
    L = ar_layout(d, q, D_phi, N)
    model = ar_algoformer(Bs, a, d, q, N, eta)
    return model.loop_trace(ar_tokens(x, q, D_phi), T, lambda H: H[..., N - 1, L["r"]], post=True)
