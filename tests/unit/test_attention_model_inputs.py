"""attention_model rejects malformed instances and token indices, and accepts the edge cases that are valid.

Added for gaps the mutation harness (tests/mutation) found: planted bugs in ``check_instance`` (T >= 2, the
+-1 labels) and ``check_alpha`` (integer dtype) survived every test and claim. Shapes (n, T, d) = (3, 5, 7).
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_model import check_alpha, check_instance

N, T, D = 3, 5, 7


def _xz(n=N, t=T, d=D):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, t, d)), rng.standard_normal((n, d))


def test_two_tokens_per_input_are_enough_and_one_is_rejected():
    X2, Z = _xz(t=2)
    assert check_instance(X2, Z)[0].shape == (N, 2, D)
    X1, Z = _xz(t=1)
    with pytest.raises(InvalidInputError, match="T >= 2"):
        check_instance(X1, Z)


@pytest.mark.parametrize(
    "Y",
    [
        np.array([1.0, -1.0, 0.5]),  # one label not +-1
        np.array([1.0, 1.0, 2.0]),  # most labels fine, one wrong
        np.array([1.0, -1.0, 1.0, -1.0]),  # valid labels, wrong length
        np.array([1.0, -1.0]),
    ],
    ids=["half", "one-wrong", "too-long", "too-short"],
)
def test_labels_must_be_n_values_in_plus_minus_one(Y):
    X, Z = _xz()
    with pytest.raises(InvalidInputError, match="labels"):
        check_instance(X, Z, np.ones(D), Y)


def test_valid_labels_pass_through_as_float64():
    X, Z = _xz()
    Y = check_instance(X, Z, np.ones(D), np.array([1, -1, 1]))[-1]
    assert Y.dtype == np.float64 and Y.tolist() == [1.0, -1.0, 1.0]


@pytest.mark.parametrize(
    "alpha",
    [np.array([0.0, 1.0, 2.0]), np.array([0, 1]), np.array([0, 1, T]), np.array([-1, 0, 1])],
    ids=["floats", "too-short", "index-T", "negative"],
)
def test_alpha_must_be_n_integer_indices_in_0_to_T(alpha):
    with pytest.raises(InvalidInputError):
        check_alpha(alpha, N, T)


def test_alpha_accepts_the_first_and_last_token():
    a = check_alpha(np.array([0, T - 1, 2], dtype=np.int32), N, T)
    assert a.dtype == np.int64 and a.tolist() == [0, T - 1, 2]
