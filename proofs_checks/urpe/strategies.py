r"""Instances and Hypothesis strategies for the URPE claims, bounded by the mathematics.

Architectures (spec C2 check 1): layers 1-8, heads 1-4, d_model in {6, 10, 14, 30} (d_head = d_model // heads
rounded to even, so d_model, d_head and n mostly differ), n in 1-64 (n_max = 64), pre-,
post- or no LayerNorm, causal on/off, biases up to $\pm 30$ (``bias_scale``), the constant token
$x = s\,\xi$, $\xi \sim N(0, I)$, $s \in [0.1, 10]$. Weights come from a drawn seed (Gaussian, 1/sqrt(fan-in)).
Kernelized instances: n in 1-300, m in {3, 5, 7} features, d_v in {2, 3}, tables $c = e^{b}$ with
$|b| \le$ ``log_range``, asymmetric by construction (independent draws per offset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.theory.urpe.positions import SOFTMAX_RPE_FAMILIES

__all__ = [
    "N_MAX",
    "ArchInstance",
    "WitnessInstance",
    "KernelInstance",
    "arch_instances",
    "witness_instances",
    "kernel_instances",
]

N_MAX = 64
_seeds = st.integers(0, 2**32 - 1)


@dataclass(frozen=True)
class ArchInstance:
    """A random network of ``family`` on the constant sequence ``1 x^T`` of length n (x from ``x_seed``)."""

    family: str
    n_layers: int
    d_model: int
    n_heads: int
    causal: bool
    ln: str
    n: int
    bias_scale: float
    x_scale: float
    seed: int
    x_seed: int
    alpha: float = 1.0  # target strength of the lower-bound claim
    tight: bool = False  # lower bound: shift g's output to the best constant rows (attains the bound)

    def x(self) -> np.ndarray:
        return self.x_scale * np.random.default_rng(self.x_seed).standard_normal(self.d_model)

    def constant_input(self) -> np.ndarray:
        return np.tile(self.x(), (self.n, 1))


@st.composite
def arch_instances(draw, families=SOFTMAX_RPE_FAMILIES, causal=None, min_n: int = 1, bias=None,
                   tight=None) -> ArchInstance:
    """``bias``: a strategy for ``bias_scale`` (default U[0, 30]); ``causal``, ``tight``: fixed when given."""
    return ArchInstance(
        family=draw(st.sampled_from(families)),
        n_layers=draw(st.integers(1, 8)),
        d_model=draw(st.sampled_from((6, 10, 14, 30))),
        n_heads=draw(st.integers(1, 4)),
        causal=draw(st.booleans()) if causal is None else causal,
        ln=draw(st.sampled_from(("pre", "post", "none"))),
        n=draw(st.integers(min_n, N_MAX)),
        bias_scale=draw(st.floats(0.0, 30.0, allow_nan=False) if bias is None else bias),
        x_scale=draw(st.floats(0.1, 10.0, allow_nan=False)),
        seed=draw(_seeds),
        x_seed=draw(_seeds),
        alpha=draw(st.floats(0.1, 10.0, allow_nan=False)),
        tight=draw(st.booleans()) if tight is None else tight,
    )


@dataclass(frozen=True)
class WitnessInstance:
    """An input X (constant or random) of shape (n, d) for the witnesses, and query/key maps for (i)."""

    n: int
    d: int
    constant: bool
    scale: float
    seed: int

    def arrays(self):
        rng = np.random.default_rng(self.seed)
        X = rng.standard_normal((self.n, self.d)) * self.scale
        if self.constant:
            X = np.tile(X[0], (self.n, 1))
        return X, rng.standard_normal((self.d, self.d)), rng.standard_normal((self.d, self.d))


@st.composite
def witness_instances(draw, constant=None) -> WitnessInstance:
    return WitnessInstance(
        n=draw(st.sampled_from((2, 3, 5, 7, 11, 13, 40))),
        d=draw(st.sampled_from((3, 6, 10))),
        constant=draw(st.booleans()) if constant is None else constant,
        scale=draw(st.floats(0.1, 5.0, allow_nan=False)),
        seed=draw(_seeds),
    )


@dataclass(frozen=True)
class KernelInstance:
    """Kernelized (U)RPE attention: features of random q, k; tables exp(b) (and URPE's C) per offset."""

    n: int
    m: int
    dv: int
    log_range: float
    urpe: bool
    causal: bool
    seed: int
    zero_last_query: bool = False  # q_n = 0, so phi(q_n) = 1/sqrt(m): the positive control's guarded row

    def arrays(self):
        from attnlab.theory.urpe.kernelized import positive_random_features

        rng = np.random.default_rng(self.seed)
        d = 4
        W = rng.standard_normal((self.m, d))
        Q = rng.standard_normal((self.n, d)) * d ** -0.25
        if self.zero_last_query:
            Q[-1] = 0.0
        phq = positive_random_features(Q, W)
        phk = positive_random_features(rng.standard_normal((self.n, d)) * d ** -0.25, W)
        V = rng.standard_normal((self.n, self.dv))
        K = 2 * self.n - 1
        b = rng.uniform(-self.log_range, self.log_range, K)
        C = 1.0 + 0.5 * rng.standard_normal(K) if self.urpe else np.ones(K)
        if self.causal:
            b[self.n:] = -np.inf  # offsets k = j - i > 0 masked: exp(b) = 0
        return phq, phk, V, np.exp(b), C


@st.composite
def kernel_instances(draw, log_range=None, urpe=None, causal=None, zero_last_query: bool = False) -> KernelInstance:
    r"""``log_range``: a strategy for the table's log range (default U[0, 40]); ``urpe``, ``causal``: fixed if given.

    ``zero_last_query`` with ``log_range`` $\le L$ guarantees one guarded row: the last query sees every key (also
    under a causal mask) and $\phi(0) = m^{-1/2} 1$, so $\kappa_n = \sqrt m\, S_{den}/\mathrm{den}_n \le
    \sqrt m\, e^{L}\sum_j\|\phi(k_j)\|_1 / (e^{-L} m^{-1/2}\sum_j\|\phi(k_j)\|_1) = m e^{2L}$, at most $7e^2 < 100$
    for $L \le 1$.
    """
    return KernelInstance(
        n=draw(st.integers(1, 300)),
        m=draw(st.sampled_from((3, 5, 7))),
        dv=draw(st.sampled_from((2, 3))),
        log_range=draw(st.floats(0.0, 40.0, allow_nan=False) if log_range is None else log_range),
        urpe=draw(st.booleans()) if urpe is None else urpe,
        causal=draw(st.booleans()) if causal is None else causal,
        seed=draw(_seeds),
        zero_last_query=zero_last_query,
    )
