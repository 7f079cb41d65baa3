r"""The parametrisation helpers of attention_model: $W = K Q^\top$, self-attention queries, prompt keys.

Added for gaps the mutation harness (tests/mutation) found: no test or claim called ``kq_to_w``,
``self_attention_queries`` or ``prompt_keys``, so every planted bug in them survived.
Shapes (n, T, d, m) = (3, 5, 7, 4), distinct so a dropped transpose or a swapped axis fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_model import (
    attention_logits,
    kq_to_w,
    prompt_keys,
    self_attention_queries,
)

N, T, D, M = 3, 5, 7, 4
RNG = np.random.default_rng(7)
X = RNG.standard_normal((N, T, D))


def test_kq_to_w_is_k_times_q_transpose_and_gives_the_same_logits():
    K, Q = RNG.standard_normal((D, M)), RNG.standard_normal((D, M))
    W = kq_to_w(K, Q)
    assert_close(W, np.einsum("am,bm->ab", K, Q), TOL.float64_exact, "K Q^T")
    Z = RNG.standard_normal((N, D))
    direct = np.einsum("ntd,dm,em,ne->nt", X, K, Q, Z)  # (X_i K)(Q^T z_i)
    assert_close(attention_logits(X, W, Z), direct, TOL.float64_exact, "logits through K, Q")


@pytest.mark.parametrize(("k_shape", "q_shape"), [((D, M), (D, M + 1)), ((D,), (D,)), ((D, M), (M, D))])
def test_kq_to_w_rejects_mismatched_or_non_matrix_factors(k_shape, q_shape):
    with pytest.raises(InvalidInputError):
        kq_to_w(np.ones(k_shape), np.ones(q_shape))


@pytest.mark.parametrize("index", [0, 2, T - 1])
def test_self_attention_queries_are_the_chosen_token_of_each_input_as_a_copy(index):
    Zq = self_attention_queries(X, index) if index else self_attention_queries(X)
    assert_close(Zq, X[:, index, :], TOL.float64_exact, "z_i = x_{i,index}")
    Zq[...] = 0.0
    assert np.abs(X[:, index, :]).max() > 0  # a copy: writing to it leaves X alone


def test_self_attention_queries_reject_a_matrix():
    with pytest.raises(InvalidInputError):
        self_attention_queries(X[0])


def test_prompt_keys_are_w_transpose_x_so_logits_are_x_w_p():
    W = RNG.standard_normal((D, M))
    keys = prompt_keys(X, W)
    assert keys.shape == (N, T, M)
    p = RNG.standard_normal(M)
    assert_close(keys @ p, np.einsum("ntd,dm,m->nt", X, W, p), TOL.float64_exact, "k_it^T p = x_it^T W p")


@pytest.mark.parametrize("w_shape", [(D + 1, M), (D,)])
def test_prompt_keys_reject_a_w_without_d_rows(w_shape):
    with pytest.raises(InvalidInputError):
        prompt_keys(X, np.ones(w_shape))
