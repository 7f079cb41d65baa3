"""The one GD loop (``attnlab.theory.optim.run_gd``), pinned where the mutation harness found it loose: normalised
steps when the gradient is shorter than 1, the ``eps`` of the NGD denominator, default logging, frozen instances
that keep their parameters, plain GD with an instance at its minimum, and the numpy array operations.

Shapes are distinct (B = 3 instances of 5 parameters, or (3, 5, 7) arrays) so a swapped axis cannot pass."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.optim import NUMPY_OPS, run_gd


def _toward_zero(params):
    return (params[0],), None  # gradient of 1/2 ||P||^2


def _start(distances):
    """(B, 5) starts at the given distances from 0, each along its own unit direction."""
    u = np.random.default_rng(3).normal(size=(len(distances), 5))
    return np.asarray(distances)[:, None] * u / np.linalg.norm(u, axis=1, keepdims=True)


def test_normalised_gd_moves_exactly_eta_per_step_when_the_gradient_is_shorter_than_one():
    P0 = _start([0.9, 0.5, 0.3])
    tr = run_gd((P0,), _toward_zero, steps=5, eta=0.05)
    assert_close(np.linalg.norm(tr.params[0], axis=1), np.array([0.65, 0.25, 0.05]), TOL.float64_exact, "NGD")


def test_eps_enters_the_normalised_step_as_eta_over_the_norm_plus_eps():
    P0 = _start([2.0, 0.5, 7.0])
    eta, eps = 0.3, 1.0
    tr = run_gd((P0,), _toward_zero, steps=1, eta=eta, eps=eps)
    expected = P0 - eta / (np.linalg.norm(P0, axis=1, keepdims=True) + eps) * P0
    assert_close(tr.params[0], expected, TOL.float64_exact, "one NGD step with eps")


def test_by_default_only_the_last_iterate_is_logged_and_no_aux_is_kept():
    tr = run_gd((_start([1.0, 2.0, 3.0]),), _toward_zero, steps=4, eta=0.1)
    assert tr.log_steps == (4,) and len(tr.log_params) == 1 and tr.log_aux == ()
    kept = run_gd((_start([1.0, 2.0, 3.0]),), lambda p: ((p[0],), p[0].sum()), steps=4, eta=0.1, log_every=2,
                  keep_aux=True)
    assert kept.log_steps == (0, 2, 4) and len(kept.log_aux) == 3
    assert_close(kept.log_aux[-1], kept.params[0].sum(), TOL.float64_exact, "aux at the last iterate")


def test_an_instance_frozen_by_a_stopping_rule_keeps_its_parameters():
    P0 = _start([1.0, 5.0, 3.0])
    tr = run_gd((P0,), _toward_zero, steps=6, eta=0.5, stop=lambda k, params, aux: np.arange(3) == 0)
    assert tr.stopped_by == ("stop", "steps", "steps") and tr.steps_run.tolist() == [0, 6, 6]
    assert np.array_equal(tr.params[0][0], P0[0])
    assert_close(np.linalg.norm(tr.params[0][1:], axis=1), np.array([2.0, 0.0]), TOL.float64_exact, "others run")


def test_plain_gd_freezes_an_instance_at_its_minimum_without_a_floating_point_warning():
    P0 = _start([0.0, 1.0, 2.0])  # instance 0 starts at the minimum (warnings are errors in this suite)
    tr = run_gd((P0,), _toward_zero, steps=3, eta=0.5, normalized=False)
    assert tr.stopped_by == ("zero-gradient", "steps", "steps") and tr.steps_run.tolist() == [0, 3, 3]
    assert_close(tr.params[0], P0 * np.array([[0.0], [0.125], [0.125]]), TOL.float64_exact, "(1 - eta)^3")


def test_numpy_operations_sort_along_the_last_axis_and_take_one_norm_per_instance():
    a = np.random.default_rng(0).normal(size=(3, 5, 7))
    assert np.array_equal(NUMPY_OPS.sort_last(a), np.sort(a, axis=-1))
    assert_close(NUMPY_OPS.norms(a), np.sqrt((a**2).sum(axis=(1, 2))), TOL.float64_exact, "Frobenius per instance")
    assert NUMPY_OPS.ones_bool(3, a).tolist() == [True] * 3 and NUMPY_OPS.zeros_int(3, a).tolist() == [0] * 3


def test_a_gradient_function_that_returns_too_few_gradients_is_an_error_not_a_silent_truncation():
    P0, Q0 = _start([1.0, 2.0, 3.0]), np.ones((3, 7))
    with pytest.raises(ValueError, match="zip"):
        run_gd((P0, Q0), _toward_zero, steps=2, eta=0.1)
