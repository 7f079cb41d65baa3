r"""The model outputs of attention_model: $f_i = v^\top X_i^\top s_i$ and the ReLU head, against direct sums.

Added for gaps the mutation harness (tests/mutation) found: no test or claim called ``attention_output``, and the
ReLU head was only tested with a square V, so planted bugs in both survived.
Shapes (n, T, d, m) = (3, 5, 7, 4), distinct so a swapped axis fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_model import attention_output, attention_probs, relu_head_output
from scipy.special import softmax

N, T, D, M = 3, 5, 7, 4
RNG = np.random.default_rng(11)
X, Z, W = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, D)), RNG.standard_normal((D, D))


def _probs():
    return softmax(np.einsum("ntd,de,ne->nt", X, W, Z), axis=1)


def test_attention_probs_are_the_softmax_over_tokens_of_x_w_z():
    assert_close(attention_probs(X, W, Z), _probs(), TOL.float64_exact, "s_i")


def test_attention_output_is_v_transpose_x_transpose_s():
    v = RNG.standard_normal(D)
    expected = np.array([_probs()[i] @ (X[i] @ v) for i in range(N)])
    assert_close(attention_output(X, W, Z, v), expected, TOL.float64_exact, "f_i")


def test_attention_output_rejects_a_v_of_the_wrong_length():
    with pytest.raises(InvalidInputError):
        attention_output(X, W, Z, np.ones(D + 1))


def test_relu_head_takes_a_d_by_m_value_matrix():
    V = RNG.standard_normal((D, M))
    r = np.einsum("nt,ntd->nd", _probs(), X)
    expected = np.maximum(r @ V, 0.0).sum(axis=1)
    assert_close(relu_head_output(X, W, Z, V), expected, TOL.float64_exact, "1^T ReLU(V^T X^T s)")
    with pytest.raises(InvalidInputError):
        relu_head_output(X, W, Z, np.ones((M, D)))
