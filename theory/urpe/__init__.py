r"""URPE (Luo et al., NeurIPS 2022, arXiv 2205.13401) and kernelized RPE attention (Luo et al., NeurIPS 2021,
arXiv 2106.12566): a float64 transformer with eleven position schemes, the universality conditions with their
witnesses, and Toeplitz RPE attention by FFT.

Public API (stable names, relied on outside the package):

* :func:`random_model` ``(family, n_layers, d_model, n_heads, causal, seed)`` -> callable (n, d) -> (n, d);
* :func:`urpe_model` ``(B, C, n_layers, d_model, seed, causal=False)`` with tables of shape
  (n_heads, 2 n_max - 1), entry ``[h, k + n_max - 1]`` for offset k = j - i;
* :data:`FAMILIES`: ``none, ape, t5, t5_bucketed, alibi, rope, transformer_xl, deberta, shaw_k, shaw_v, urpe``.
"""

from attnlab.theory.urpe.conditions import (
    Witness as Witness,
    attentive_witness as attentive_witness,
    is_attentive as is_attentive,
    is_position_aware as is_position_aware,
    plain_attention as plain_attention,
    position_channel as position_channel,
    position_witness as position_witness,
    urpe_position_witness as urpe_position_witness,
    witness_model as witness_model,
)
from attnlab.theory.urpe.kernelized import (
    kernelized_rpe_fft as kernelized_rpe_fft,
    kernelized_rpe_naive as kernelized_rpe_naive,
    positive_random_features as positive_random_features,
    toeplitz_matmul_fft as toeplitz_matmul_fft,
    toeplitz_matmul_naive as toeplitz_matmul_naive,
)
from attnlab.theory.urpe.positions import (
    FAMILIES as FAMILIES,
    SOFTMAX_RPE_FAMILIES as SOFTMAX_RPE_FAMILIES,
    PositionParams as PositionParams,
)
from attnlab.theory.urpe.transformer import (
    Layer as Layer,
    Transformer as Transformer,
    prepend_bos as prepend_bos,
    random_model as random_model,
    urpe_model as urpe_model,
)
