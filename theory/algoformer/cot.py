r"""Chain of thought with leaky-ReLU MLP steps (spec A7 [derived]; the paper's form is [unverified]).

Each example is written as the tokens :math:`s^0_i, s^1_i, \ldots, s^{L}_i` with
:math:`s^\ell = \sigma_a(W_\ell s^{\ell-1})` [src: Li et al. 2023 abstract]; the prompt holds n examples and
then the query's first :math:`\ell + 1` steps :math:`s^0_q, \ldots, s^\ell_q`; the task is :math:`s^{\ell+1}_q`.
Since :math:`\sigma_a` is invertible, :math:`\sigma_a^{-1}(s^{\ell+1}) = W_{\ell+1} s^\ell` is linear regression.

* TF_pre: a copy head gives every token the state of the next token (slot r); an MLP applies
  :math:`\sigma_a^{-1}` to r.
* TF_loop: multi-output residual GD on the state slot, keys = the n step-:math:`\ell` tokens (the key mask is
  the in-context filter).
* TF_post: an MLP writes :math:`\sigma_a(-r)` into slot o: at the last token
  :math:`\sigma_a(W_T s^\ell_q)`.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import MLP, Block
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout
from attnlab.theory.algoformer.primitives import copy_head, inverse_leaky_mlp, residual_gd_head
from attnlab.theory.errors import InvalidInputError

__all__ = ["cot_layout", "cot_tokens", "cot_algoformer", "cot_predictions", "cot_keys"]


def cot_layout(d: int, N: int) -> Layout:
    return Layout(s=d, r=d, o=d, pos=N)


def cot_keys(n: int, L_steps: int, ell: int) -> tuple[int, ...]:
    if not 0 <= ell < L_steps:
        raise InvalidInputError(f"step ell must lie in [0, L={L_steps}), got {ell}")
    return tuple(i * (L_steps + 1) + ell for i in range(n))


def cot_tokens(states, query_states) -> np.ndarray:
    """``states`` (..., n, L+1, d) examples; ``query_states`` (..., ell+1, d). Rows: examples, then the query."""
    states, query_states = np.asarray(states, float), np.asarray(query_states, float)
    n, Lp1, d = states.shape[-3:]
    seq = np.concatenate([states.reshape(*states.shape[:-3], n * Lp1, d), query_states], axis=-2)
    N = seq.shape[-2]
    return cot_layout(d, N).tokens(N, seq.shape[:-2], s=seq, pos=np.eye(N))


def cot_algoformer(d: int, n: int, L_steps: int, ell: int, a: float, eta: float) -> AlgoFormer:
    N = n * (L_steps + 1) + ell + 1
    L = cot_layout(d, N)
    pre = Block(((copy_head(L, "r", "s", N, 1),), inverse_leaky_mlp(L, "r", a)))
    loop = Block(((residual_gd_head(L, "s", "r", eta, cot_keys(n, L_steps, ell)),),))
    R, C = L.rows("r"), L.cols("o")
    post = Block((MLP(np.concatenate([-R, R]), np.concatenate([C, -a * C], axis=1)),))
    return AlgoFormer(pre=(pre,), loop=loop, post=(post,))


def cot_predictions(states, query_states, a: float, eta: float, T: int) -> np.ndarray:
    r""":math:`\hat s^{\ell+1}_q` (slot o of the last token) after t = 0..T loops: (T+1, ..., d)."""
    states = np.asarray(states, float)
    n, Lp1, d = states.shape[-3:]
    ell = np.shape(query_states)[-2] - 1
    H = cot_tokens(states, query_states)
    L = cot_layout(d, H.shape[-2])
    model = cot_algoformer(d, n, Lp1 - 1, ell, a, eta)
    return model.loop_trace(H, T, lambda H: H[..., -1, L["o"]], post=True)
