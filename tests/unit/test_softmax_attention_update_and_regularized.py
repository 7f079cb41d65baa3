"""theory/softmax_icl attention_update and regularized: pinned against plain computations written here."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.softmax_icl import softmax_regression as sr
from attnlab.theory.softmax_icl.attention_update import attention_scores, attention_update
from attnlab.theory.softmax_icl.regularized import grad_regularized, hessian_regularized, loss_regularized

SHAPES = [(3, 5, 2), (5, 7, 3), (7, 3, 1)]  # (n, d, k), distinct so a swapped axis fails


def _layer(n, d, k, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d)), rng.standard_normal((d, k)), rng.standard_normal((d, k)),
            rng.standard_normal((d, d)))


@pytest.mark.parametrize(("n", "d", "k"), SHAPES)
def test_attention_update_adds_each_tokens_softmax_weighted_values(n, d, k):
    A, WQ, WK, WV = _layer(n, d, k, seed=n)
    expected = A.copy()
    for i in range(n):
        s = np.array([(A[i] @ WQ) @ (A[j] @ WK) for j in range(n)]) / np.sqrt(k)
        w = np.exp(s - s.max())
        expected[i] += (w / w.sum()) @ (A @ WV)
    assert_close(attention_update(A, WQ, WK, WV), expected, TOL.float64_exact)


@pytest.mark.parametrize(("n", "d", "k"), SHAPES)
def test_attention_scores_are_row_stochastic_and_not_their_transpose(n, d, k):
    A, WQ, WK, _ = _layer(n, d, k, seed=10 + n)
    S = attention_scores(A, WQ, WK)
    assert_close(S.sum(axis=1), np.ones(n), TOL.float64_exact)
    assert not np.allclose(S, attention_scores(A, WK, WQ))  # queries and keys are not interchangeable


def test_attention_update_rejects_value_weights_of_the_wrong_shape():
    A, WQ, WK, _ = _layer(3, 5, 2, seed=0)
    with pytest.raises(InvalidInputError, match="WV must be 5 x 5"):
        attention_update(A, WQ, WK, np.zeros((5, 3)))


@pytest.mark.parametrize(("n", "d", "k"), SHAPES)
def test_regularized_loss_gradient_and_hessian_add_the_ridge_terms(n, d, k):
    rng = np.random.default_rng(n)
    A, x, b, w = rng.standard_normal((n, d)), rng.standard_normal(d), rng.dirichlet(np.ones(n)), rng.uniform(1, 2, n)
    r = w * (A @ x)
    assert loss_regularized(A, x, b, w) == pytest.approx(sr.loss(A, x, b) + 0.5 * r @ r, rel=1e-12)
    assert_close(grad_regularized(A, x, b, w), sr.grad(A, x, b) + A.T @ (w * r), TOL.float64_exact)
    assert_close(hessian_regularized(A, x, b, w), sr.hessian(A, x, b) + (A * (w * w)[:, None]).T @ A,
                 TOL.float64_exact)


def test_regularized_gradient_matches_central_differences_of_the_regularized_loss():
    rng = np.random.default_rng(4)
    A, x, b, w = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.dirichlet(np.ones(5)), rng.uniform(1, 2, 5)
    h = 1e-6
    fd = np.array([(loss_regularized(A, x + h * e, b, w) - loss_regularized(A, x - h * e, b, w)) / (2 * h)
                   for e in np.eye(3)])
    assert_close(grad_regularized(A, x, b, w), fd, TOL.finite_difference)


def test_regularized_rejects_weights_of_the_wrong_length():
    with pytest.raises(InvalidInputError, match="w must have length n=3"):
        hessian_regularized(np.eye(3, 2), np.zeros(2), np.full(3, 1 / 3), np.ones(2))
