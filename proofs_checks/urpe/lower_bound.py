r"""The negative theorem as a quantitative lower bound, in the sup-norm (spec C2, pitfall 1).

Let $D$ be compact with $X_c = 1x^\top \in D$ and $f(X)_i = X_i + \alpha\,(i/n)\,1$ (1-based i). Every softmax-RPE
network g has identical rows at $X_c$ (:mod:`.invariance`), so by the triangle inequality

.. math::
    \sup_{X \in D} \|f(X) - g(X)\|_\infty \;\ge\; \max_i \|f(X_c)_i - g(X_c)_i\|_\infty
    \;\ge\; \tfrac12 \max_{i,j} \|f(X_c)_i - f(X_c)_j\|_\infty = \alpha\,\frac{n-1}{2n}.

**Metric, stated honestly.** This is a sup-norm statement over a domain that contains a constant sequence.
The paper's metric is unverified (spec 2.4); Yun et al.'s universality, on which URPE's positive result
rests, is an $L_p$ ($p < \infty$) statement, and the obstruction lives on the measure-zero set of constant
sequences and near it (spec C10), so nothing here bounds an $L_p$ error. [derived; theorem wording unverified]

The check evaluates the middle quantity at $X_c$ for random networks and, for ``tight`` instances, for the
network shifted by a constant output bias to the midrange of $f(X_c)$'s rows (still an RPE network: a bias
on the last sublayer), which *attains* the bound: tightness 1 there. Negative control: the same target
fitted by URPE's position witness (position written after the softmax), which reaches error 0.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.urpe.invariance import model_of, rpe_family_hypotheses
from attnlab.proofs_checks.urpe.strategies import N_MAX, ArchInstance, arch_instances
from attnlab.theory._tolerances import TOL
from attnlab.theory.urpe.conditions import urpe_position_witness, witness_model

__all__ = ["target", "lower_bound", "sup_error_lower_bound"]


def target(X: np.ndarray, alpha: float) -> np.ndarray:
    r"""$f(X)_i = X_i + \alpha (i/n) 1$, 1-based i."""
    n = X.shape[0]
    return X + alpha * (np.arange(1, n + 1) / n)[:, None]


def lower_bound(F: np.ndarray) -> float:
    r"""$\tfrac12 \max_{i,j} \|F_i - F_j\|_\infty$ (half the target's spread across positions)."""
    return 0.5 * float(np.max(F.max(axis=0) - F.min(axis=0)))


def _compare(G: np.ndarray, F: np.ndarray, tight: bool) -> Comparison:
    if tight:  # best constant rows: the midrange of F's rows minus g's (identical) row, per channel
        G = G + (0.5 * (F.max(axis=0) + F.min(axis=0)) - G[0])
    err = float(np.max(np.abs(F - G)))
    bound = lower_bound(F)
    return Comparison(bound, err, TOL.inequality.allowance(max(err, bound)))


@empirical_claim(
    "urpe/rpe-sup-error-lower-bound",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#sup-norm-lower-bound (the paper's negative result, "
    "arXiv:2205.13401v2, abstract: 'there "
    "exist continuous sequence-to-sequence functions that RPE-based Transformers cannot approximate no matter how deep "
    "and wide the neural network is'; its theorem number and metric unverified)",
    statement=r"$f(X)_i = X_i + \alpha\frac in 1$: every softmax-RPE network g has "
    r"$\sup_{X \in D}\|f(X)-g(X)\|_\infty \ge \|f(X_c) - g(X_c)\|_\infty \ge \alpha\frac{n-1}{2n}$ "
    r"for any compact $D \ni X_c = 1x^\top$ (sup-norm only; says nothing about $L_p$)",
    strategy=arch_instances(min_n=2),
    check_hypotheses=rpe_family_hypotheses,
    tolerance=TOL.inequality,
    negative=NegativeControl(
        "the position code written after the softmax (URPE witness, lower-triangular C, b_V = alpha 1)",
        evaluate=lambda inst: _witness_fit(inst)),
    hypotheses=("position enters only the pre-softmax logits", "eval mode", "D contains the constant sequence"),
    positive=arch_instances(min_n=2, tight=True),  # softmax-RPE networks shifted to the best constant rows
)
def sup_error_lower_bound(inst: ArchInstance) -> Comparison:
    Xc = inst.constant_input()
    return _compare(model_of(inst)(Xc), target(Xc, inst.alpha), inst.tight)


def _witness_fit(inst: ArchInstance) -> Comparison:
    w = urpe_position_witness(inst.d_model, N_MAX)
    w = replace(w, layer=replace(w.layer, bv=inst.alpha * np.ones((1, inst.d_model))))
    Xc = inst.constant_input()
    return _compare(witness_model(w)(Xc), target(Xc, inst.alpha), tight=False)
