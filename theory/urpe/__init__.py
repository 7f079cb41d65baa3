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
)
from attnlab.theory.urpe.conditions import (
    attentive_witness as attentive_witness,
)
from attnlab.theory.urpe.conditions import (
    is_attentive as is_attentive,
)
from attnlab.theory.urpe.conditions import (
    is_position_aware as is_position_aware,
)
from attnlab.theory.urpe.conditions import (
    plain_attention as plain_attention,
)
from attnlab.theory.urpe.conditions import (
    position_channel as position_channel,
)
from attnlab.theory.urpe.conditions import (
    position_witness as position_witness,
)
from attnlab.theory.urpe.conditions import (
    urpe_position_witness as urpe_position_witness,
)
from attnlab.theory.urpe.conditions import (
    witness_model as witness_model,
)
from attnlab.theory.urpe.kernelized import (
    kernelized_rpe_fft as kernelized_rpe_fft,
)
from attnlab.theory.urpe.kernelized import (
    kernelized_rpe_naive as kernelized_rpe_naive,
)
from attnlab.theory.urpe.kernelized import (
    positive_random_features as positive_random_features,
)
from attnlab.theory.urpe.kernelized import (
    toeplitz_matmul_fft as toeplitz_matmul_fft,
)
from attnlab.theory.urpe.kernelized import (
    toeplitz_matmul_naive as toeplitz_matmul_naive,
)
from attnlab.theory.urpe.positions import (
    FAMILIES as FAMILIES,
)
from attnlab.theory.urpe.positions import (
    SOFTMAX_RPE_FAMILIES as SOFTMAX_RPE_FAMILIES,
)
from attnlab.theory.urpe.positions import (
    PositionParams as PositionParams,
)
from attnlab.theory.urpe.transformer import (
    Layer as Layer,
)
from attnlab.theory.urpe.transformer import (
    Transformer as Transformer,
)
from attnlab.theory.urpe.transformer import (
    prepend_bos as prepend_bos,
)
from attnlab.theory.urpe.transformer import (
    random_model as random_model,
)
from attnlab.theory.urpe.transformer import (
    urpe_model as urpe_model,
)
