r"""Weight-building primitives shared by the constructions (spec §2.2 and A4-A7, all [derived]).

* :func:`residual_gd_head`: one LSA head doing one (multi-output) GD step on residuals,
  :math:`r_j \leftarrow r_j - \frac\eta n \sum_{i\in\mathcal C} r_i\, z_i^\top z_j` (Q = K = projection onto the
  feature slot z, V = :math:`-\eta` on the residual slot r).
* :func:`copy_head`: positional copy, token j receives slot ``src`` of token j + k (query
  :math:`S_k\,\mathrm{pos}`, key pos, one-hot positions); linear (exact) or softmax (error ~ :math:`(N-1)e^{-\beta}`).
* :func:`leaky_mlp`: :math:`\mathrm{dst} \mathrel{+}= \sigma_a(B\,\mathrm{src})` and src erased, with
  :math:`\sigma_a(u) = \mathrm{ReLU}(u) - a\,\mathrm{ReLU}(-u)` and :math:`u = \mathrm{ReLU}(u) - \mathrm{ReLU}(-u)`.
* :func:`inverse_leaky_mlp`: :math:`r \leftarrow \sigma_a^{-1}(r) = r + (1 - 1/a)\mathrm{ReLU}(-r)`.
* :func:`negate_mlp`: :math:`r \leftarrow -r = r - 2\mathrm{ReLU}(r) + 2\mathrm{ReLU}(-r)`.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.algoformer.block import MLP, Head
from attnlab.theory.algoformer.layout import Layout, shift
from attnlab.theory.errors import InvalidInputError

__all__ = ["leaky_relu", "inverse_leaky_relu", "residual_gd_head", "copy_head", "leaky_mlp",
           "inverse_leaky_mlp", "negate_mlp"]


def leaky_relu(u, a: float):
    u = np.asarray(u, float)
    return np.maximum(u, 0.0) - a * np.maximum(-u, 0.0)


def inverse_leaky_relu(v, a: float):
    v = np.asarray(v, float)
    return np.maximum(v, 0.0) - np.maximum(-v, 0.0) / a


def residual_gd_head(L: Layout, z: str, r: str, eta: float, keys: tuple[int, ...]) -> Head:
    P = L.move(z, z)
    return Head(P, P.copy(), -float(eta) * L.move(r, r), keys=keys, scale=1.0 / len(keys))


def copy_head(L: Layout, dst: str, src: str, N: int, k: int = 1, kind: str = "linear", beta: float = 1.0,
              pos: str = "pos") -> Head:
    if L.width(pos) != N:
        raise InvalidInputError(f"position slot has width {L.width(pos)}, expected N = {N}")
    return Head(L.move(pos, pos, shift(N, k)), L.move(pos, pos), L.move(dst, src), kind=kind, scale=1.0, beta=beta)


def leaky_mlp(L: Layout, dst: str, src: str, B: np.ndarray, a: float) -> MLP:
    B = np.asarray(B, float)
    Rs = L.rows(src)
    W1 = np.concatenate([B @ Rs, -B @ Rs, Rs, -Rs])
    Cd, Cs = L.cols(dst), L.cols(src)
    W2 = np.concatenate([Cd, -a * Cd, -Cs, Cs], axis=1)
    return MLP(W1, W2)


def inverse_leaky_mlp(L: Layout, r: str, a: float) -> MLP:
    return MLP(-L.rows(r), (1.0 - 1.0 / a) * L.cols(r))


def negate_mlp(L: Layout, r: str) -> MLP:
    R = L.rows(r)
    C = L.cols(r)
    return MLP(np.concatenate([R, -R]), np.concatenate([-2 * C, 2 * C], axis=1))
