r"""The paper's two sufficient conditions for universality, as predicates with witness constructors.

Poster wording [src: URPE poster]: *attentive condition*: "cover the originally defined attention";
*position-aware condition*: "break the right-stochastic-matrix limitation". The precise form below is a
reconstruction [unverified locator: Theorem 3 of arXiv 2205.13401, numbering unverified]:

(i) **attentive**: for every $W_Q, W_K$ some setting of the family's *learnable* position parameters makes the
    head equal plain attention $\mathrm{softmax}(X W_Q (X W_K)^\top / \sqrt{dh})$ on every X;
(ii) **position-aware**: some parameter setting makes one head write an injective code of the position,
    the same for every input: $z_i = (i/n)\,e_c$ (1-based i) in a channel c.

Witnesses [derived, spec C6]: (i) B = 0, C = 1 (URPE), zero relative tables (Shaw, Transformer-XL, DeBERTa with
$W_Q \to \sqrt3 W_Q$); ALiBi slopes and RoPE frequencies are fixed, so no setting removes them: no witness.
(ii) URPE: $W_Q = W_K = W_V = 0$, $B = 0$, value bias $b_V = e_c$, $C_k = 1$ for $k = j - i \le 0$ else 0
(lower-triangular, asymmetric), so $z_i = \frac1n \#\{j \le i\}\, e_c = (i/n) e_c$. Shaw value-side RPE has one too
($R^V_k = e_c$ for $k \le 0$); every softmax-RPE family has none (its rows sum to one, see
:mod:`attnlab.proofs_checks.urpe`). The predicates *build* the witness and then *verify* it numerically on
random inputs, so a wrong witness makes them false.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.urpe.positions import PositionParams
from attnlab.theory.urpe.transformer import Layer, Transformer, effective_attention, head_outputs

__all__ = [
    "Witness",
    "plain_attention",
    "attentive_witness",
    "position_witness",
    "urpe_position_witness",
    "position_channel",
    "is_attentive",
    "is_position_aware",
    "witness_model",
    "single_head_layer",
]


@dataclass(frozen=True)
class Witness:
    """A one-head, one-layer module of ``family`` built to meet a condition."""

    family: str
    layer: Layer
    pos: PositionParams
    causal: bool = False


def plain_attention(X: np.ndarray, Wq: np.ndarray, Wk: np.ndarray) -> np.ndarray:
    r"""$\mathrm{softmax}(X W_Q (X W_K)^\top / \sqrt{dh})$, row-wise; the reference of condition (i)."""
    L = (X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1])
    L = L - L.max(axis=1, keepdims=True)
    e = np.exp(L)
    return e / e.sum(axis=1, keepdims=True)


def single_head_layer(Wq, Wk, Wv, bv, Wo) -> Layer:
    """One head with these (d, dh) / (dh, d) maps, zero FFN, unit LayerNorm: for explicit constructions."""
    d = Wq.shape[0]
    z = np.zeros
    return Layer(Wq=Wq[None], Wk=Wk[None], Wv=Wv[None], bv=bv[None], Wo=Wo[None],
                 W1=z((d, 1)), b1=z(1), W2=z((1, d)), b2=z(d),
                 ln1_g=np.ones(d), ln1_b=z(d), ln2_g=np.ones(d), ln2_b=z(d))


def attentive_witness(family: str, Wq: np.ndarray, Wk: np.ndarray, n_max: int) -> Witness | None:
    """Parameters of ``family`` reproducing plain attention with these W_Q, W_K; None if none exists."""
    d, dh = Wq.shape
    K = 2 * n_max - 1
    zeros_t = np.zeros((1, K, dh))
    tables = {
        "none": {}, "ape": {"E": np.zeros((n_max, d))},
        "t5": {"B": np.zeros((1, K))}, "t5_bucketed": {"B": np.zeros((1, K))},
        "transformer_xl": {"RK": zeros_t, "u": np.zeros((1, dh)), "w": np.zeros((1, dh))},
        "deberta": {"RK": zeros_t, "RQ": zeros_t, "logit_scale_factor": 1.0 / np.sqrt(3.0)},
        "shaw_k": {"RK": zeros_t}, "shaw_v": {"RV": zeros_t},
        "urpe": {"B": np.zeros((1, K)), "C": np.ones((1, K))},
    }
    if family not in tables:  # alibi, rope: fixed slopes / frequencies, nothing learnable to switch off
        return None
    scale_q = np.sqrt(3.0) if family == "deberta" else 1.0  # absorb DeBERTa's 1/sqrt(3 dh) into W_Q
    lay = single_head_layer(scale_q * Wq, Wk, np.zeros((d, dh)), np.zeros(dh), np.zeros((dh, d)))
    return Witness(family, lay, PositionParams(family, n_max, **tables[family]))


def position_witness(family: str, d_model: int, n_max: int, channel: int = 0) -> Witness | None:
    r"""A head with $z_i = (i/n) e_c$ for every input, or None for families whose rows must sum to one."""
    if family == "urpe":
        return urpe_position_witness(d_model, n_max, channel)
    if family != "shaw_v":
        return None
    d, K = d_model, 2 * n_max - 1
    k = np.arange(K) - (n_max - 1)
    RV = np.zeros((1, K, d))
    RV[0, k <= 0, channel] = 1.0
    zero = np.zeros((d, d))
    return Witness(family, single_head_layer(zero, zero, zero, np.zeros(d), np.eye(d)), PositionParams(family, n_max, RV=RV))


def urpe_position_witness(d_model: int, n_max: int, channel: int = 0, transpose_bug: bool = False) -> Witness:
    r"""URPE's witness: $W_Q = W_K = W_V = 0$, $B = 0$, $b_V = e_c$, $C_{k} = [k \le 0]$ (k = j - i).

    ``transpose_bug`` indexes C by $i - j$ instead (the poster's $m_{i-j}$ read as the code's $j - i$, spec
    pitfall 5): then $z_i = (n - i + 1)/n$, a planted bug for negative controls.
    """
    d, K = d_model, 2 * n_max - 1
    k = np.arange(K) - (n_max - 1)
    C = ((k >= 0) if transpose_bug else (k <= 0)).astype(float)[None, :]
    zero = np.zeros((d, d))
    bv = np.zeros(d)
    bv[channel] = 1.0
    return Witness("urpe", single_head_layer(zero, zero, zero, bv, np.eye(d)),
                   PositionParams("urpe", n_max, B=np.zeros((1, K)), C=C))


def position_channel(w: Witness, X: np.ndarray, channel: int = 0) -> np.ndarray:
    """The witness head's output in ``channel`` at each position, shape (n,)."""
    return head_outputs(w.layer, w.pos, X, w.causal)[0, :, channel]


def witness_model(w: Witness) -> Transformer:
    """The witness as a one-layer model without LayerNorm: output $X + \\mathrm{Attn}(X)$ (FFN zero)."""
    return Transformer((w.layer,), w.pos, causal=w.causal, ln="none")


def is_attentive(family: str, rng: np.random.Generator, n: int = 7, d: int = 5, trials: int = 3) -> bool:
    """Condition (i): the witness exists and matches plain attention on random W_Q, W_K, X (TOL.float64_exact)."""
    for _ in range(trials):
        Wq, Wk, X = rng.standard_normal((d, d)), rng.standard_normal((d, d)), rng.standard_normal((n, d))
        w = attentive_witness(family, Wq, Wk, n)
        if w is None:
            return False
        got = effective_attention(w.layer, w.pos, X, causal=False)[0]
        if not is_close(got, plain_attention(X, Wq, Wk), TOL.float64_exact):
            return False
    return True


def is_position_aware(family: str, rng: np.random.Generator, n: int = 7, d: int = 5, trials: int = 3) -> bool:
    """Condition (ii): the witness gives the same injective position code on constant and random inputs."""
    w = position_witness(family, d, n)
    if w is None:
        return False
    ref = np.arange(1, n + 1) / n
    inputs = [np.tile(rng.standard_normal(d), (n, 1))] + [rng.standard_normal((n, d)) for _ in range(trials)]
    return all(is_close(position_channel(w, X), ref, TOL.float64_exact) for X in inputs)

