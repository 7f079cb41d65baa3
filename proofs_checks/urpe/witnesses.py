r"""URPE meets both sufficient conditions (spec C5, C6), checked on the explicit witnesses.

(i) attentive: B = 0, C = 1 makes a URPE head equal plain attention $\mathrm{softmax}(XW_Q(XW_K)^\top/\sqrt{dh})$
for every $W_Q, W_K, X$. (ii) position-aware: $W_Q = W_K = W_V = 0$, B = 0, $b_V = e_1$, $C_k = [k \le 0]$
($k = j - i$) gives $z_i = (i/n) e_1$ for every X, an injective position code. See
:mod:`attnlab.theory.urpe.conditions` for the predicates over all families. Derivations:
``proofs_checks/urpe/DERIVATIONS.md#attentive-witness`` and ``#position-aware-witness``; the paper's conditions,
their theorem number and the URPE corollary are unverified (only the abstract of arXiv:2205.13401v2 was read).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.urpe.strategies import WitnessInstance, witness_instances
from attnlab.theory._tolerances import TOL, max_violation
from attnlab.theory.urpe.conditions import (
    attentive_witness,
    plain_attention,
    position_channel,
    urpe_position_witness,
)
from attnlab.theory.urpe.transformer import effective_attention, head_outputs

__all__ = ["attentive_witness_check", "position_witness_check"]


def _attentive(inst: WitnessInstance, bert_init: bool = False) -> Comparison:
    X, Wq, Wk = inst.arrays()
    w = attentive_witness("urpe", Wq, Wk, inst.n)
    if bert_init:  # the released code without --constant-init-ur-attn: C ~ N(0, 0.02) (spec pitfall 6)
        C = 0.02 * np.random.default_rng(inst.seed).standard_normal(w.pos.C.shape)
        w = replace(w, pos=replace(w.pos, C=C))
    A = effective_attention(w.layer, w.pos, X, causal=False)[0]
    ref = plain_attention(X, Wq, Wk)
    return Comparison(float(np.max(np.abs(A - ref))), 0.0, TOL.float64_exact.allowance(ref))


@empirical_claim(
    "urpe/attentive-witness",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#attentive-witness (our witness for the attentive condition, "
    "NeurIPS poster, lsj2408/URPE doc/poster.png: 'cover the originally defined attention'; the paper's condition and theorem number unverified)",
    statement=r"URPE with $B = 0$, $C = 1$: $\mathrm{softmax}(XW_Q(XW_K)^\top/\sqrt{dh} + B) \odot C = "
    r"\mathrm{softmax}(XW_Q(XW_K)^\top/\sqrt{dh})$ for all $W_Q, W_K, X$",
    strategy=witness_instances(),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("C left at the BERT init N(0, 0.02) instead of ones (no --constant-init-ur-attn)",
                             evaluate=lambda inst: _attentive(inst, bert_init=True)),
    positive=witness_instances(constant=False),
)
def attentive_witness_check(inst: WitnessInstance) -> Comparison:
    return _attentive(inst)


def _position(inst: WitnessInstance, transpose_bug: bool = False) -> Comparison:
    X, _, _ = inst.arrays()
    w = urpe_position_witness(inst.d, inst.n, transpose_bug=transpose_bug)
    z = position_channel(w, X)
    ref = np.arange(1, inst.n + 1) / inst.n
    others = np.abs(head_outputs(w.layer, w.pos, X, False)[0, :, 1:])  # every other channel stays 0
    err = max(float(np.max(np.abs(z - ref))), float(others.max(initial=0.0)))
    gaps = np.diff(np.sort(z))
    injective = max_violation(gaps, np.full_like(gaps, 1.0 / inst.n), TOL.float64_exact) <= 0
    return Comparison(err if injective else np.inf, 0.0, TOL.float64_exact.allowance(ref))


@empirical_claim(
    "urpe/position-aware-witness",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#position-aware-witness (our witness for the position-aware "
    "condition, NeurIPS poster, lsj2408/URPE doc/poster.png: 'break the right-stochastic-matrix limitation'; the paper's condition, theorem number and "
    "URPE corollary unverified)",
    statement=r"URPE with $W_Q = W_K = W_V = 0$, $B = 0$, $b_V = e_1$, $C_{j-i} = [j \le i]$: "
    r"$z_i = \tfrac in e_1$ for every input X (injective in i, gaps exactly 1/n)",
    strategy=witness_instances(),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("C indexed by i - j instead of j - i (the poster's m_{i-j} read as the code's j - i)",
                             evaluate=lambda inst: _position(inst, transpose_bug=True)),
    hypotheses=("a per-offset C table separating j <= i from j > i", "value projection with bias", "no dropout"),
    positive=witness_instances(constant=True),  # constant sequences: where every softmax-RPE head is position-blind
)
def position_witness_check(inst: WitnessInstance) -> Comparison:
    return _position(inst)
