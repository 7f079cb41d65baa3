r"""Constant-sequence invariance: the mechanism of the negative theorem (spec C2 check 1, C3, C4).

If every row of H equals h and A is row-stochastic, then $(A H W_V)_i = \sum_j \alpha_{ij} h W_V = h W_V$;
FFN, LayerNorm and residuals act row-wise, so by induction a network whose position information enters only
the pre-softmax logits maps $1 x^\top$ to an output with identical rows, whatever the depth, width, head count,
mask or bias size [src: poster figure "identical tokens -> softmax(.)V"; derived: spec 2.3].

Checked quantity: the spread $\max_i \|g(1x^\top)_i - g(1x^\top)_1\|_\infty$ against 0 under ``TOL.row_spread``
(relative to $\max |g|$). Each claim's negative control is a wrong implementation that moves position outside
the logits: absolute embeddings added to the tokens, the relative table added on the value side (Shaw's
$a^V$), URPE's C away from one, a distinct BOS token (the input is then not constant).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.urpe.strategies import N_MAX, ArchInstance, arch_instances
from attnlab.theory._tolerances import TOL
from attnlab.theory.urpe.positions import SOFTMAX_RPE_FAMILIES
from attnlab.theory.urpe.transformer import prepend_bos, random_model, urpe_model, with_position

__all__ = ["row_spread", "invariance", "shaw_key_side_invariance", "causal_invariance", "urpe_unit_c_invariance"]

_NEGATIVE = ("the mechanism arXiv:2205.13401v2, section 1, names for its negative result: 'The softmax operator always "
             "generates a right stochastic matrix'; the theorem's number and exact statement unverified")
#: Positive-control families: the hypotheses hold by construction, at the largest biases (|B| = 30) and n >= 2.
_EXTREME = st.just(30.0)
_HYPS = (
    "position enters only the pre-softmax logits (attention rows sum to one)",
    "eval mode: no dropout",
    "the input is a constant sequence; no special token",
)


def row_spread(Y: np.ndarray) -> Comparison:
    r"""Spread of the rows of Y against 0, allowance ``TOL.row_spread`` at the scale of Y."""
    spread = float(np.max(np.abs(Y - Y[0]))) if Y.shape[0] > 1 else 0.0
    return Comparison(spread, 0.0, TOL.row_spread.allowance(Y))


def model_of(inst: ArchInstance, family: str | None = None):
    """The random network of an architecture instance (its own family unless ``family`` is given)."""
    return random_model(family or inst.family, inst.n_layers, inst.d_model, inst.n_heads, inst.causal,
                        inst.seed, n_max=N_MAX, ln=inst.ln, bias_scale=inst.bias_scale)


def rpe_family_hypotheses(inst: ArchInstance) -> list[str]:
    """Unmet when the family puts position outside the softmax logits (the theorem is about softmax RPE)."""
    if inst.family not in SOFTMAX_RPE_FAMILIES:
        return [f"family {inst.family} puts position outside the logits"]
    return []


def _spread(inst: ArchInstance, family: str | None = None) -> Comparison:
    return row_spread(model_of(inst, family)(inst.constant_input()))


@empirical_claim(
    "urpe/constant-sequence-invariance",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#constant-sequence (" + _NEGATIVE + ")",
    statement=r"every softmax-RPE network $g$ (no PE, T5, bucketed T5, ALiBi, RoPE, Transformer-XL, DeBERTa, Shaw-K; "
    r"any depth, heads, LN placement, mask, $|B| \le 30$): $g(1x^\top)_i = g(1x^\top)_1$ for all i",
    strategy=arch_instances(),
    check_hypotheses=rpe_family_hypotheses,
    tolerance=TOL.row_spread,
    negative=NegativeControl("absolute position embeddings added to the tokens (APE) instead of a logit bias",
                             evaluate=lambda inst: _spread(inst, "ape")),
    hypotheses=_HYPS,
    positive=arch_instances(min_n=2, bias=_EXTREME),
)
def invariance(inst: ArchInstance) -> Comparison:
    return _spread(inst)


@empirical_claim(
    "urpe/shaw-key-side-invariance",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#shaw-key-side",
    statement=r"Shaw key-side RPE $\ell_{ij} = q_i^\top(k_j + a^K_{j-i})$ keeps constant sequences constant",
    strategy=arch_instances(families=("shaw_k",), min_n=2),
    check_hypotheses=rpe_family_hypotheses,
    tolerance=TOL.row_spread,
    negative=NegativeControl("relative table added on the value side, z_i = sum_j a_ij (v_j + a^V_{j-i}) (Shaw-V)",
                             evaluate=lambda inst: _spread(inst, "shaw_v")),
    hypotheses=_HYPS,
    positive=arch_instances(families=("shaw_k",), min_n=2, bias=_EXTREME),
)
def shaw_key_side_invariance(inst: ArchInstance) -> Comparison:
    return _spread(inst)


def _bos_spread(inst: ArchInstance) -> Comparison:
    bos = np.random.default_rng(inst.x_seed + 1).standard_normal(inst.d_model) * inst.x_scale
    model = random_model(inst.family, inst.n_layers, inst.d_model, inst.n_heads, inst.causal, inst.seed,
                         n_max=N_MAX + 1, ln=inst.ln, bias_scale=inst.bias_scale)
    return row_spread(prepend_bos(model, bos)(inst.constant_input()))


@empirical_claim(
    "urpe/causal-mask-does-not-rescue-rpe",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#causal-mask (the same argument: StableMask, "
    "arXiv:2402.04779, App. B.1; version unverified)",
    statement=r"with a causal mask row i averages a prefix of identical vectors: causal softmax-RPE networks "
    r"still map $1x^\top$ to identical rows",
    strategy=arch_instances(causal=True, min_n=2),
    check_hypotheses=rpe_family_hypotheses,
    tolerance=TOL.row_spread,
    negative=NegativeControl("a distinct BOS token prepended (Kazemnejad et al. 2023): the input is no longer constant",
                             evaluate=_bos_spread),
    hypotheses=_HYPS + ("causal mask",),
    positive=arch_instances(causal=True, min_n=2, bias=_EXTREME),
)
def causal_invariance(inst: ArchInstance) -> Comparison:
    return _spread(inst)


def _urpe(inst: ArchInstance, C: np.ndarray | None = None):
    rng = np.random.default_rng(inst.seed + 7)
    K = 2 * N_MAX - 1
    B = inst.bias_scale * rng.standard_normal((inst.n_heads, K))
    model = urpe_model(B, np.ones_like(B), inst.n_layers, inst.d_model, inst.seed, inst.causal, ln=inst.ln)
    if C is not None:
        model = with_position(model, C=C)
    return row_spread(model(inst.constant_input()))


def _asymmetric_c(inst: ArchInstance) -> Comparison:
    K = 2 * N_MAX - 1
    return _urpe(inst, 1.0 + 0.5 * np.random.default_rng(inst.seed + 9).standard_normal((inst.n_heads, K)))


@empirical_claim(
    "urpe/urpe-at-init-is-rpe",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#urpe-unit-c (C = 1 is --constant-init-ur-attn in "
    "lsj2408/URPE at 47b711f, "
    "fairseq/models/roberta/model.py, used by every released URPE script)",
    statement=r"URPE with $C \equiv 1$ (its released initialisation), any $B$ with $|B| \le 30$: $g(1x^\top)$ has "
    r"identical rows, i.e. URPE starts as plain RPE",
    strategy=arch_instances(families=("urpe",), min_n=2),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.row_spread,
    negative=NegativeControl("asymmetric C (random per offset) multiplied after the softmax", evaluate=_asymmetric_c),
    hypotheses=("C = 1 at every offset", "eval mode: no dropout"),
    positive=arch_instances(families=("urpe",), min_n=2, bias=_EXTREME),
)
def urpe_unit_c_invariance(inst: ArchInstance) -> Comparison:
    return _urpe(inst)
