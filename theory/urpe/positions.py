r"""Position schemes of the URPE paper's comparison, as per-offset tables shared by every layer.

Offset convention (official URPE code, "memory - context"): the relative position of key j seen from query i
is $k = j - i \in \{-(n_{\max}-1), \dots, n_{\max}-1\}$, stored at table index $k + n_{\max} - 1$. The poster
writes $b_{ij} = m_{i-j}$; for an asymmetric table the two differ by a transpose (spec pitfall 5).

One attention logit of head h (``dh`` the head width, $s = 1/\sqrt{dh}$, DeBERTa $1/\sqrt{3\,dh}$):

.. math::
    \ell_{ij} = s\,[(q_i + u)^\top k_j + (q_i + w)^\top R^K_{j-i} + k_j^\top R^Q_{j-i}] + B_{j-i},
    \qquad z_i = \sum_j \mathrm{softmax}_j(\ell_{i\cdot})\, C_{j-i}\,(v_j + R^V_{j-i}),

and each family switches on its own terms (all others are zero, C is one):

========== ====================================================================================
none       nothing (NoPE)
ape        $X \leftarrow X + E_{1:n}$ at the input (absolute, the only non-relative scheme)
t5         B: one learnable scalar per head and offset (Raffel et al.; URPE's ``--rel-pos-unique``)
t5_bucketed B: one scalar per head and T5 log bucket (32 buckets, max distance 128)
alibi      $B_k = -m_h |k|$, $m_h = 2^{-8h/H}$ (Press et al.)
rope       q, k rotated by position angles $p\,\theta_t$, $\theta_t = 10000^{-2t/dh}$ (Su et al.)
transformer_xl u, w and $R^K_k = r_{-k} W_R$ with sinusoidal $r$: all four Dai et al. terms
deberta    c2p $R^K$ and p2c $R^Q$ (He et al.); scale $1/\sqrt{3\,dh}$
shaw_k     key-side $R^K$ (Shaw et al.)
shaw_v     value-side $R^V$ (Shaw et al.): position *outside* the logits
urpe       B (T5 per offset) and C after the softmax (Luo et al. 2022, poster eq. for $A_U$)
========== ====================================================================================

Sharing across layers follows the URPE code for B and C [src: lsj2408/URPE]; for Transformer-XL, DeBERTa
and Shaw we share too (a simplification, ours: the constant-sequence argument never looks at layers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = [
    "FAMILIES",
    "SOFTMAX_RPE_FAMILIES",
    "PositionParams",
    "offsets",
    "table_to_matrix",
    "t5_bucket",
    "alibi_slopes",
    "rope_rotate",
    "random_position_params",
]

FAMILIES = ("none", "ape", "t5", "t5_bucketed", "alibi", "rope", "transformer_xl", "deberta", "shaw_k",
            "shaw_v", "urpe")
#: Families whose position information enters only the pre-softmax logits (the negative theorem's class).
SOFTMAX_RPE_FAMILIES = ("none", "t5", "t5_bucketed", "alibi", "rope", "transformer_xl", "deberta", "shaw_k")


@dataclass(frozen=True)
class PositionParams:
    """Tables for one model; ``None`` means the term is absent. Shapes: H heads, K = 2 n_max - 1 offsets.

    ``B, C`` in (H, K); ``RK, RQ, RV`` in (H, K, dh); ``u, w`` in (H, dh); ``E`` in (n_max, d).
    """

    family: str
    n_max: int
    B: np.ndarray | None = None
    C: np.ndarray | None = None
    E: np.ndarray | None = None
    RK: np.ndarray | None = None
    RQ: np.ndarray | None = None
    RV: np.ndarray | None = None
    u: np.ndarray | None = None
    w: np.ndarray | None = None
    rope: bool = False
    logit_scale_factor: float = 1.0  # DeBERTa divides by sqrt(3 dh) instead of sqrt(dh)

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise InvalidInputError(f"unknown position family {self.family!r}; valid: {', '.join(FAMILIES)}")
        K = 2 * self.n_max - 1
        for name in ("B", "C"):
            t = getattr(self, name)
            if t is not None and (t.ndim != 2 or t.shape[1] != K):
                raise InvalidInputError(f"{name} must have shape (n_heads, 2*n_max-1={K}), got {t.shape}")


def offsets(n: int) -> np.ndarray:
    """Matrix of offsets $k_{ij} = j - i$, shape (n, n)."""
    idx = np.arange(n)
    return idx[None, :] - idx[:, None]


def table_to_matrix(table: np.ndarray, n: int, n_max: int) -> np.ndarray:
    """Expand a per-offset table (..., 2 n_max - 1, ...) on its offset axis into (..., n, n, ...): $M_{ij} = t[j-i]$.

    The offset axis is axis 0 for 1-D tables and axis 1 (after heads) otherwise.
    """
    if n > n_max:
        raise InvalidInputError(f"sequence length {n} exceeds the tables' n_max = {n_max}")
    idx = offsets(n) + n_max - 1
    return table[idx] if table.ndim == 1 else table[:, idx]


def t5_bucket(k: np.ndarray, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """Bidirectional T5 bucket of offset ``k = j - i`` (Raffel et al.; HF ``_relative_position_bucket``)."""
    n = -np.asarray(k)  # T5 works with context - memory
    half = num_buckets // 2
    ret = (n < 0).astype(int) * half
    n = np.abs(n)
    max_exact = half // 2
    with np.errstate(divide="ignore"):
        large = max_exact + (np.log(np.maximum(n, 1) / max_exact) / np.log(max_distance / max_exact)
                             * (half - max_exact)).astype(int)
    large = np.minimum(large, half - 1)
    return ret + np.where(n < max_exact, n, large)


def alibi_slopes(n_heads: int) -> np.ndarray:
    r"""$m_h = 2^{-8 h / H}$, h = 1..H (Press et al.; the geometric sequence for any H)."""
    return 2.0 ** (-8.0 * np.arange(1, n_heads + 1) / n_heads)


def rope_rotate(x: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """Rotate pairs of channels of ``x`` (..., n, dh) by angle p * theta_t at position p (dh even)."""
    n, dh = x.shape[-2], x.shape[-1]
    theta = base ** (-np.arange(0, dh, 2) / dh)
    ang = np.arange(n)[:, None] * theta[None, :]
    cos, sin = np.cos(ang), np.sin(ang)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x1 * cos - x2 * sin
    out[..., 1::2] = x1 * sin + x2 * cos
    return out


def _sinusoid(pos: np.ndarray, d: int) -> np.ndarray:
    inv = 10000.0 ** (-np.arange(0, d, 2) / d)
    ang = pos[:, None] * inv[None, :]
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1)[:, :d]


def random_position_params(family: str, n_heads: int, d_model: int, d_head: int, n_max: int,
                           rng: np.random.Generator, bias_scale: float = 1.0) -> PositionParams:
    r"""Random tables for ``family``: biases (T5, ALiBi slopes, URPE's B) scaled by ``bias_scale``; URPE's C random
    around one, $1 + 0.5\,N(0, 1)$ per offset (asymmetric; the training init C = 1 is in :mod:`attnlab.gpu.urpe`)."""
    if family not in FAMILIES:
        raise InvalidInputError(f"unknown position family {family!r}; valid: {', '.join(FAMILIES)}")
    H, K = n_heads, 2 * n_max - 1
    ks = np.arange(K) - (n_max - 1)
    g = lambda *shape: rng.standard_normal(shape)  # noqa: E731
    vec = lambda *shape: rng.standard_normal(shape) / np.sqrt(d_head)  # noqa: E731
    p = dict(family=family, n_max=n_max)
    if family == "ape":
        p["E"] = g(n_max, d_model)
    elif family == "t5":
        p["B"] = bias_scale * g(H, K)
    elif family == "t5_bucketed":
        p["B"] = (bias_scale * g(H, 32))[:, t5_bucket(ks)]
    elif family == "alibi":
        p["B"] = -bias_scale * alibi_slopes(H)[:, None] * np.abs(ks)[None, :]
    elif family == "rope":
        p["rope"] = True
    elif family == "transformer_xl":
        W_R = g(H, d_model, d_head) / np.sqrt(d_model)
        p["RK"] = np.einsum("kd,hde->hke", _sinusoid(-ks.astype(float), d_model), W_R)  # r_{i-j} W_R
        p["u"], p["w"] = vec(H, d_head), vec(H, d_head)
    elif family == "deberta":
        p["RK"], p["RQ"] = vec(H, K, d_head), vec(H, K, d_head)
        p["logit_scale_factor"] = 1.0 / np.sqrt(3.0)
    elif family == "shaw_k":
        p["RK"] = vec(H, K, d_head)
    elif family == "shaw_v":
        p["RV"] = g(H, K, d_head)
    elif family == "urpe":
        p["B"] = bias_scale * g(H, K)
        p["C"] = 1.0 + 0.5 * g(H, K)
    return PositionParams(**p)
