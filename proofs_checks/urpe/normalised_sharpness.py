r"""Normalised queries and keys make attention nearly uniform; a position bias restores sharpness (spec C9).

With L2-normalised $\hat q_i, \hat k_j$ and temperature $\tau$ the logits $\tau\hat q_i^\top\hat k_j$ lie in
$[-\tau, \tau]$, so every attention row has $\max_j\alpha_{ij}/\min_j\alpha_{ij} \le e^{2\tau}$, attained when some
key is $\hat q_i$ and another $-\hat q_i$. The check measures the ratio on random q, k (rows of distinct sizes
n, d) against $e^{2\tau}$, and records beside it the ratio the same row reaches with a T5 bias of range 10 on one
offset (:func:`attnlab.theory.urpe.feature_variance.normalised_attention`), which is what a position bias buys
back. Negative control: the normalisation dropped (raw q, k of norms up to 3). Derivation:
``proofs_checks/urpe/DERIVATIONS.md#normalised-sharpness``. The paper's normalisation, temperature and its
entropy or sharpness statement are unverified (only the abstract of arXiv:2106.12566v2 was read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.urpe.feature_variance import normalised_attention

__all__ = ["SharpnessInstance", "sharpness_instances", "normalised_rows_near_uniform"]

_BIAS_RANGE = 10.0  # the T5 bias of the "RPE restores sharpness" comparison: +10 at offset +1, 0 elsewhere


@dataclass(frozen=True)
class SharpnessInstance:
    """n queries and keys in R^d, raw norms up to ``scale``; ``antipodal``: keys 0 and 1 are q_0 and -q_0."""

    n: int
    d: int
    tau: float
    scale: float
    antipodal: bool
    seed: int

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        Q = self.scale * rng.standard_normal((self.n, self.d))
        K = self.scale * rng.standard_normal((self.n, self.d))
        if self.antipodal:
            K[0], K[1] = Q[0], -2.0 * Q[0]
        return Q, K


@st.composite
def sharpness_instances(draw, antipodal=None) -> SharpnessInstance:
    return SharpnessInstance(
        n=draw(st.sampled_from((3, 5, 7, 11))),
        d=draw(st.sampled_from((2, 4, 6))),
        tau=draw(st.floats(0.25, 4.0, allow_nan=False)),
        scale=draw(st.floats(0.1, 3.0, allow_nan=False)),
        antipodal=draw(st.booleans()) if antipodal is None else antipodal,
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _ratio(A: np.ndarray) -> float:
    return float(np.max(A.max(axis=1) / A.min(axis=1)))


def _sharpness(inst: SharpnessInstance, normalise: bool = True) -> Comparison:
    Q, K = inst.arrays()
    ratio = _ratio(normalised_attention(Q, K, inst.tau, normalise=normalise))
    bound = float(np.exp(2.0 * inst.tau))
    return Comparison(ratio, bound, TOL.inequality.allowance(bound))


def _with_bias(outcome) -> dict:
    """The ratio a one-offset T5 bias of range 10 gives the worst instance's rows (RPE restores sharpness)."""
    inst = outcome.worst_instance
    if not isinstance(inst, SharpnessInstance):
        return {}
    Q, K = inst.arrays()
    B = np.zeros((inst.n, inst.n))
    idx = np.arange(inst.n - 1)
    B[idx, idx + 1] = _BIAS_RANGE
    return {"ratio_with_t5_bias_range_10": _ratio(normalised_attention(Q, K, inst.tau, B)),
            "bound_without_bias": float(np.exp(2.0 * inst.tau))}


@empirical_claim(
    "urpe/normalised-attention-near-uniform",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#normalised-sharpness (why kernelized RPE attention with "
    "normalised q, k needs the position bias, arXiv:2106.12566v2, title 'Stable, Fast and Accurate'; the paper's "
    "normalisation, temperature and statement unverified, not read)",
    statement=r"$\hat q_i, \hat k_j$ unit, temperature $\tau$, no position bias: every row of "
    r"$\mathrm{softmax}(\tau\hat Q\hat K^\top)$ has $\max_j\alpha_{ij}/\min_j\alpha_{ij} \le e^{2\tau}$ (tight for "
    r"keys $\pm\hat q_i$); a T5 bias of range R allows $e^{2\tau+R}$",
    strategy=sharpness_instances(),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.inequality,
    negative=NegativeControl("q/k normalisation dropped (softmax of tau q^T k on the raw vectors)",
                             evaluate=lambda inst: _sharpness(inst, normalise=False)),
    hypotheses=("q, k L2-normalised", "no position bias in the logits"),
    summarize=_with_bias,
    positive=sharpness_instances(antipodal=True),  # keys q_0 and -q_0: row 0 attains e^{2 tau}
)
def normalised_rows_near_uniform(inst: SharpnessInstance) -> Comparison:
    return _sharpness(inst)
