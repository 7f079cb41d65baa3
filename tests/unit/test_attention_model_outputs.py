r"""The attention probabilities and the ReLU head of attention_model, against direct sums.

Added for a gap the mutation harness (tests/mutation) found: the ReLU head was only tested with a square V, so a
check of V's columns instead of its rows survived.
Shapes (n, T, d, m) = (3, 5, 7, 4), distinct so a swapped axis fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_model import attention_probs, relu_head_output

N, T, D, M = 3, 5, 7, 4
RNG = np.random.default_rng(11)
X, Z, W = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, D)), RNG.standard_normal((D, D))


def _probs():
    return softmax(np.einsum("ntd,de,ne->nt", X, W, Z), axis=1)


def test_attention_probs_are_the_softmax_over_tokens_of_x_w_z():
    assert_close(attention_probs(X, W, Z), _probs(), TOL.float64_exact, "s_i")


def test_relu_head_takes_a_d_by_m_value_matrix():
    V = RNG.standard_normal((D, M))
    r = np.einsum("nt,ntd->nd", _probs(), X)
    expected = np.maximum(r @ V, 0.0).sum(axis=1)
    assert_close(relu_head_output(X, W, Z, V), expected, TOL.float64_exact, "1^T ReLU(V^T X^T s)")
    with pytest.raises(InvalidInputError):
        relu_head_output(X, W, Z, np.ones((M, D)))
