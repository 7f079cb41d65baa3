r"""Newton–Schulz matrix inversion inside the loop (spec A8 [derived]; the paper's theorem is [unverified]).

Tokens: n data tokens :math:`(x_i, y_i)`, d workspace tokens (one-hot :math:`e_k`), one query (flag q = 1).
Slots: x, y, e, m (column :math:`m_k` of M), s (column :math:`s_k` of S), bk (entry :math:`b_k`), q, w.

* TF_pre (1 block): two LSA heads over the data tokens (scale 1/n), query :math:`e_j`, key :math:`x_i`:
  values :math:`x_i \to s` give :math:`s_j = S e_j`; values :math:`y_i \to bk` give :math:`b_j`. Then an
  MLP writes :math:`m_k = \alpha e_k` (exact since :math:`e \ge 0`).
* TF_loop (1 block): an MLP doubles m (:math:`m + \mathrm{ReLU}(m) - \mathrm{ReLU}(-m)`); an LSA head over the
  workspace tokens with query :math:`m_j`, key :math:`s_k`, value :math:`m_k`, scale :math:`-1/4` gives
  :math:`2M - \tfrac14 (2M)S(2M) = 2M - MSM`.
* TF_post (2 blocks): query flag · :math:`b_k` selects :math:`w = \sum_k m_k b_k = Mb` into the query; then the
  query's own :math:`x_q^\top w` goes to its y-slot.

:math:`\alpha` is a weight (the construction's parameter); a data-dependent :math:`\alpha = 1/\mathrm{tr}S` is
not linear-attention computable (spec pitfall 10), so the checks pass it in as an oracle scalar.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import MLP, Block, Head
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout

__all__ = ["newton_layout", "newton_tokens", "newton_algoformer", "newton_M_trace", "newton_predictions"]


def newton_layout(d: int) -> Layout:
    return Layout(x=d, y=1, e=d, m=d, s=d, bk=1, q=1, w=d)


def newton_tokens(X, y, xq) -> np.ndarray:
    X, y, xq = (np.asarray(a, float) for a in (X, y, xq))
    n, d = X.shape[-2], X.shape[-1]
    L = newton_layout(d)
    H = L.tokens(n + d + 1, X.shape[:-2])
    H[..., :n, L["x"]] = X
    H[..., :n, L["y"]] = y[..., None]
    H[..., n:n + d, L["e"]] = np.eye(d)
    H[..., n + d, L["x"]] = xq
    H[..., n + d, L["q"]] = 1.0
    return H


def newton_algoformer(d: int, n: int, alpha: float) -> AlgoFormer:
    L = newton_layout(d)
    data, work, query = tuple(range(n)), tuple(range(n, n + d)), (n + d,)
    Qe, Kx = L.move("x", "e"), L.move("x", "x")
    pre = Block((
        (Head(Qe, Kx, L.move("s", "x"), keys=data), Head(Qe, Kx, L.move("bk", "y"), keys=data)),
        MLP(L.rows("e"), alpha * L.cols("m")),
    ))
    Rm, Cm = L.rows("m"), L.cols("m")
    loop = Block((
        MLP(np.concatenate([Rm, -Rm]), np.concatenate([Cm, -Cm], axis=1)),
        (Head(L.move("x", "m"), L.move("x", "s"), L.move("m", "m"), keys=work, scale=-0.25),),
    ))
    post = (
        Block(((Head(L.move("y", "q"), L.move("y", "bk"), L.move("w", "m"), keys=work, scale=1.0),),)),
        Block(((Head(L.move("x", "x"), L.move("x", "w"), L.move("y", "q"), keys=query, scale=1.0),),)),
    )
    return AlgoFormer(pre=(pre,), loop=loop, post=post)


def newton_M_trace(X, y, xq, alpha: float, T: int) -> np.ndarray:
    r""":math:`M_t` read from the workspace tokens after t loops: shape (T+1, ..., d, d)."""
    X = np.asarray(X, float)
    n, d = X.shape[-2], X.shape[-1]
    L = newton_layout(d)
    model = newton_algoformer(d, n, alpha)
    return model.loop_trace(newton_tokens(X, y, xq), T, lambda H: np.swapaxes(H[..., n:n + d, L["m"]], -1, -2))


def newton_predictions(X, y, xq, alpha: float, T: int) -> np.ndarray:
    """The query's y-slot after pre, t loops and post, t = 0..T: shape (T+1, ...)."""
    X = np.asarray(X, float)
    n, d = X.shape[-2], X.shape[-1]
    L = newton_layout(d)
    model = newton_algoformer(d, n, alpha)
    return model.loop_trace(newton_tokens(X, y, xq), T, lambda H: H[..., n + d, L["y"].start], post=True)
