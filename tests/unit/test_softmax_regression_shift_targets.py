r"""The shifted targets of softmax_regression and the paper constant, pinned by their defining identities.

Added for gaps the mutation harness (tests/mutation) found: no test or claim called
``weight_shift_target`` or ``data_shift_target``, so every planted bug in them survived.

* weight shift: :math:`f(A, x_{t+1}) - b = f(A, x_t) - \tilde b`, hence :math:`L(x_{t+1}; b) = L(x_t; \tilde b)`;
* data shift: :math:`f(A_{t+1}, x) - b = f(A_t, x) - \hat b`, hence :math:`L(A_{t+1}; b) = L(A_t; \hat b)`;
* :math:`\log M = 1.5 \log n + 10 R^2`, defined for every :math:`n \ge 1`, :math:`R \ge 0`.
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.softmax_icl import softmax_regression as sr

SHAPES = [(3, 5), (5, 7), (7, 3)]


def _draw(n, d, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(d), rng.dirichlet(np.ones(n))


@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_weight_shift_target_turns_the_new_weights_residual_into_the_old_ones(n, d):
    A, x_old, b = _draw(n, d, seed=n)
    x_new = x_old + np.random.default_rng(d).standard_normal(d)
    b_tilde = sr.weight_shift_target(A, x_old, x_new, b)
    assert_close(sr.f(A, x_old) - b_tilde, sr.f(A, x_new) - b, TOL.float64_exact, "f(x_t) - b~")
    assert_close(sr.loss(A, x_old, b_tilde), sr.loss(A, x_new, b), TOL.float64_exact, "L(x_t; b~)")
    assert not np.allclose(b_tilde, b)  # the shift is not trivially zero on these draws


@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_data_shift_target_turns_the_new_datas_residual_into_the_old_ones(n, d):
    A_old, x, b = _draw(n, d, seed=10 + n)
    A_new = A_old + np.random.default_rng(d).standard_normal((n, d))
    b_hat = sr.data_shift_target(A_old, A_new, x, b)
    assert_close(sr.f(A_old, x) - b_hat, sr.f(A_new, x) - b, TOL.float64_exact, "f(A_t) - b^")
    assert_close(sr.loss(A_old, x, b_hat), sr.loss(A_new, x, b), TOL.float64_exact, "L(A_t; b^)")
    assert not np.allclose(b_hat, b)


@pytest.mark.parametrize(("n", "R"), [(1, 0.0), (1, 2.0), (4, 0.0), (7, 0.5)])
def test_log_paper_constant_is_1_5_log_n_plus_10_R_squared_down_to_n_1_and_R_0(n, R):
    assert_close(sr.log_paper_constant(n, R), 1.5 * np.log(n) + 10.0 * R * R, TOL.float64_exact, "log M")


@pytest.mark.parametrize(("n", "R"), [(0, 1.0), (3, -0.5), (3, float("nan")), (3, float("inf"))])
def test_log_paper_constant_rejects_n_below_1_and_negative_or_non_finite_R(n, R):
    with pytest.raises(InvalidInputError):
        sr.log_paper_constant(n, R)
