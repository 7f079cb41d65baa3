r"""APE transformers output position-dependent values on constant inputs (spec C1, the positive control of C2-C4).

Universality of APE transformers (Yun et al., arXiv:1912.10077; "Thm 1" of arXiv:2205.13401 in the spec's
unverified numbering) is not re-proved. What it relies on is checked: the explicit one-layer APE network of
:mod:`attnlab.theory.urpe.ape_witness`, run through our transformer, equals $f(X)_i = X_i + \alpha (i/n)\,1$ (on
the input channels) on every X of its domain, constant sequences included, where every softmax-RPE network
errs by at least $\alpha (n-1)/(2n)$ (``urpe/rpe-sup-error-lower-bound``). Hypothesis: X lies in the domain
(reserved channels zero); instances with a leak into those channels are drawn and must come out not applicable.
Negative control: the position code moved into a T5 logit bias (RPE instead of APE).
Derivation: ``proofs_checks/urpe/DERIVATIONS.md#ape-witness``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.urpe.ape_witness import ape_position_network, ape_target

__all__ = ["ApeInstance", "ape_instances", "ape_writes_position"]


@dataclass(frozen=True)
class ApeInstance:
    """Input of length n with d_x input channels (constant or not) and ``leak`` added to the reserved channels."""

    n: int
    d_x: int
    alpha: float
    x_scale: float
    constant: bool
    leak: float
    seed: int

    def input(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        X = np.zeros((self.n, self.d_x + self.n))
        X[:, :self.d_x] = self.x_scale * rng.standard_normal((1 if self.constant else self.n, self.d_x))
        X[:, self.d_x:] = self.leak * rng.standard_normal((self.n, self.n))
        return X


@st.composite
def ape_instances(draw, constant=None, leak=None) -> ApeInstance:
    return ApeInstance(
        n=draw(st.sampled_from((2, 3, 5, 7, 11, 13))),
        d_x=draw(st.sampled_from((3, 5, 7))),
        alpha=draw(st.floats(0.1, 10.0, allow_nan=False)),
        x_scale=draw(st.floats(0.1, 10.0, allow_nan=False)),
        constant=draw(st.booleans()) if constant is None else constant,
        leak=draw(st.one_of(st.just(0.0), st.floats(0.1, 1.0, allow_nan=False))) if leak is None else leak,
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _hypotheses(inst: ApeInstance) -> list[str]:
    if inst.leak != 0.0:
        return ["X outside the witness's domain: its reserved (embedding) channels are not zero"]
    return []


def _ape(inst: ApeInstance, as_rpe_bug: bool = False) -> Comparison:
    X = inst.input()
    F = ape_target(X, inst.d_x, inst.alpha)
    G = ape_position_network(inst.d_x, inst.n, inst.alpha, as_rpe_bug=as_rpe_bug)(X)
    return Comparison(float(np.max(np.abs(G - F))), 0.0, TOL.float64_exact.allowance(F))


@empirical_claim(
    "urpe/ape-writes-position-on-constant-inputs",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#ape-witness (the mechanism behind Yun et al.'s universality "
    "of APE transformers, arXiv:1912.10077, as the URPE NeurIPS poster paraphrases it, lsj2408/URPE doc/poster.png: "
    "'given any fixed input length n, Transformers with APE can approximate any continuous seq2seq function with "
    "arbitrary precision under mild assumptions'; Yun's theorem wording unverified)",
    statement=r"one APE layer ($E_i = e_{d_x+i}$, $W_Q = W_K = W_V = 0$, ReLU FFN reading $E$) gives "
    r"$g(X)_i = X_i + \alpha\frac in 1$ exactly on every X with zero embedding channels, constant sequences "
    r"included (every softmax-RPE network errs there by $\ge \alpha\frac{n-1}{2n}$)",
    strategy=ape_instances(),
    check_hypotheses=_hypotheses,
    tolerance=TOL.float64_exact,
    negative=NegativeControl("the position code moved from the embeddings into a T5 logit bias (RPE instead of APE)",
                             evaluate=lambda inst: _ape(inst, as_rpe_bug=True)),
    hypotheses=("absolute position embeddings with pairwise distinct rows", "no LayerNorm, eval mode",
                "X in the domain: embedding channels zero"),
    positive=ape_instances(constant=True, leak=0.0),
)
def ape_writes_position(inst: ApeInstance) -> Comparison:
    return _ape(inst)
