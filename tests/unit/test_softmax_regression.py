"""attnlab.theory.softmax_icl.softmax_regression: derivatives against finite differences, shapes, input errors, overflow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attnlab.proofs_checks.softmax_icl import strategies as pst
from attnlab.theory._tolerances import TOL, assert_close, max_violation
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.softmax_icl import softmax_regression as sr
from attnlab.theory.softmax_icl.examples import EXAMPLES

EX = EXAMPLES["softmax_icl"]
H = 1e-6  # central-difference step (TOL.finite_difference is sized for it)


def _fd(fun, x):
    cols = []
    for k in range(x.shape[0]):
        e = np.zeros_like(x)
        e[k] = H
        cols.append((fun(x + e) - fun(x - e)) / (2 * H))
    return np.stack(cols, axis=-1)


def _instance(n=5, d=7, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    A *= 2.0 / np.linalg.norm(A, 2)
    return A, rng.standard_normal(d) * 0.5, rng.dirichlet(np.ones(n))


def test_gradient_matches_central_differences():
    A, x, b = _instance()
    assert_close(sr.grad(A, x, b), _fd(lambda z: np.array(sr.loss(A, z, b)), x), TOL.finite_difference, "grad")


def test_hessian_matches_central_differences_of_the_gradient():
    A, x, b = _instance(7, 3, 1)
    fd = _fd(lambda z: sr.grad(A, z, b), x)
    assert_close(sr.hessian(A, x, b), fd, TOL.finite_difference, "hessian")


def test_shapes_follow_distinct_sizes():
    A, x, b = _instance(3, 5)
    assert sr.f(A, x).shape == (3,)
    assert sr.grad(A, x, b).shape == (5,)
    assert sr.hessian(A, x, b).shape == (5, 5)
    with pytest.raises(InvalidInputError, match="x must have length d=5"):
        sr.f(A, np.zeros(3))
    with pytest.raises(InvalidInputError, match="b must have length n=3"):
        sr.grad(A, x, np.zeros(7))


def test_nan_input_raises_a_clear_invalid_input_error():
    ex = EX["nan_entry"].arrays
    with pytest.raises(InvalidInputError, match="A contains NaN or inf"):
        sr.loss(ex["A"], ex["x"], ex["b"])


def test_large_logits_do_not_overflow():
    ex = EX["large_logits"].arrays
    p = sr.f(ex["A"], ex["x"])
    assert np.all(np.isfinite(p))
    assert_close(p, np.array([1 / (1 + np.exp(-10.0)), np.exp(-10.0) / (1 + np.exp(-10.0)), 0.0]),
                 TOL.float64_exact, "softmax at logits ~800")
    assert np.all(np.isfinite(sr.hessian(ex["A"], ex["x"], ex["b"])))


def test_near_two_way_tie_example_reaches_the_tight_constant():
    ex = EX["near_two_way_tie"].arrays
    ratio = np.linalg.norm(sr.f(ex["A"], ex["x"]) - sr.f(ex["A"], ex["y"])) / np.linalg.norm(ex["x"] - ex["y"])
    assert ratio <= ex["R"] / 2 + TOL.inequality.allowance(ex["R"] / 2)
    assert ratio > 0.999 * ex["R"] / 2


def test_log_paper_constant_matches_the_spec_reference():
    assert abs(sr.log_paper_constant(25, 4.0) / np.log(10) - 71.6) <= TOL.reference_one_decimal.atol
    with pytest.raises(InvalidInputError):
        sr.log_paper_constant(0, 4.0)


@given(pst.softmax_instances())
def test_f_is_a_probability_vector(inst):
    p = sr.f(inst.A, inst.x)
    assert np.all(p >= 0)
    assert max_violation(np.array([p.sum()]), np.array([1.0]), TOL.float64_exact) <= 0


@given(pst.softmax_instances())
def test_hessian_is_symmetric(inst):
    Hm = sr.hessian(inst.A, inst.x, inst.b)
    assert_close(Hm, Hm.T, TOL.float64_exact, "hessian symmetry")


@given(pst.softmax_instances(), st.floats(-50, 50, allow_nan=False))
def test_gradient_is_orthogonal_to_logit_shifts(inst, c):
    # J_u 1 = 0: adding c * 1 to b leaves the gradient unchanged
    g0 = sr.grad(inst.A, inst.x, inst.b)
    g1 = sr.grad(inst.A, inst.x, inst.b + c)
    scale = np.linalg.norm(inst.A, 2) * (np.linalg.norm(inst.b) + abs(c) * np.sqrt(inst.b.size) + 1)
    assert np.max(np.abs(g0 - g1)) <= TOL.float64_exact.allowance(scale)
