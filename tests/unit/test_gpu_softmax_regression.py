"""attnlab.gpu.softmax_icl.softmax_regression and attnlab.gpu.softmax_icl.gd_predictors meet theory/ on small float64 CPU instances."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.gpu.softmax_icl import softmax_regression as gsr
from attnlab.gpu.softmax_icl.gd_predictors import OneStepGDLinear, OneStepGDSoftmax
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.softmax_icl import softmax_regression as sr
from attnlab.theory.softmax_icl.gd_construction import build_gd_step_attention

B = 11
SHAPES = [(3, 5), (5, 7), (7, 3)]  # (n, d), distinct primes so a swapped axis fails


def _batch(n, d, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((B, n, d))
    x = rng.standard_normal((B, d)) * 0.7
    b = rng.dirichlet(np.ones(n), size=B)
    return A, x, b


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_batched_f_loss_grad_and_gd_step_equal_theory_per_instance(n, d):
    A, x, b = _batch(n, d)
    f, loss, grad = gsr.f(_t(A), _t(x)), gsr.loss(_t(A), _t(x), _t(b)), gsr.grad(_t(A), _t(x), _t(b))
    step = gsr.gd_step(_t(A), _t(x), _t(b), 0.3)
    assert f.dtype == torch.float64 and f.shape == (B, n) and grad.shape == (B, d)
    for i in range(B):
        assert_close(f[i].numpy(), sr.f(A[i], x[i]), TOL.gpu_float64, "f")
        assert_close(loss[i].item(), sr.loss(A[i], x[i], b[i]), TOL.gpu_float64, "loss")
        assert_close(grad[i].numpy(), sr.grad(A[i], x[i], b[i]), TOL.gpu_float64, "grad")
        assert_close(step[i].numpy(), sr.gd_step(A[i], x[i], b[i], 0.3), TOL.gpu_float64, "gd_step")


@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_gd_direction_from_zero_is_minus_the_gradient_at_zero(n, d):
    A, _, b = _batch(n, d, seed=1)
    g = gsr.gd_direction_from_zero(_t(A), _t(b))
    for i in range(B):
        assert_close(g[i].numpy(), -sr.grad(A[i], np.zeros(d), b[i]), TOL.gpu_float64, "-grad L(0)")
        assert_close(g[i].numpy(), build_gd_step_attention(A[i], b[i], 1.0), TOL.gpu_float64, "construction")


@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_query_prediction_of_a_context_row_is_n_times_f(n, d):
    A, x, _ = _batch(n, d, seed=2)
    for k in range(n):
        pred = gsr.query_prediction(_t(A), _t(A[:, k]), _t(x))
        expected = [n * sr.f(A[i], x[i])[k] for i in range(B)]
        assert_close(pred.numpy(), np.array(expected), TOL.gpu_float64, "query prediction")


def test_query_prediction_does_not_overflow_for_huge_logits():
    A, x, _ = _batch(5, 7, seed=3)
    pred = gsr.query_prediction(_t(A) * 1e3, _t(A[:, 0]) * 1e3, _t(x))
    assert torch.isfinite(pred).all()


@pytest.mark.parametrize(("n", "d"), SHAPES)
@pytest.mark.parametrize("offset", [0.0, 1.0])
def test_one_step_gd_softmax_predictor_is_theory_gd_step_then_readout(n, d, offset):
    A, _, b = _batch(n, d, seed=4)
    rng = np.random.default_rng(5)
    aq = rng.standard_normal((B, d))
    ys = n * b - offset  # labels as the task samples them
    eta = 2.5
    pred = OneStepGDSoftmax(eta, label_offset=offset)(_t(A), _t(ys), _t(aq))
    for i in range(B):
        x1 = sr.gd_step(A[i], np.zeros(d), b[i], eta)
        logits = A[i] @ x1
        expected = n * np.exp(aq[i] @ x1 - logits.max()) / np.exp(logits - logits.max()).sum() - offset
        assert_close(pred[i].item(), expected, TOL.gpu_float64, "one-step GD softmax prediction")


def test_one_step_gd_linear_predictor_is_one_gd_step_on_least_squares():
    rng = np.random.default_rng(6)
    N, d = 5, 7
    xs, w, xq = rng.standard_normal((B, N, d)), rng.standard_normal((B, d)), rng.standard_normal((B, d))
    ys = np.einsum("bnd,bd->bn", xs, w)
    eta = 0.7
    pred = OneStepGDLinear(eta)(_t(xs), _t(ys), _t(xq))
    for i in range(B):
        grad0 = -(xs[i].T @ ys[i]) / N  # gradient of (1/2N) sum (W x - y)^2 at W = 0
        assert_close(pred[i].item(), (-eta * grad0) @ xq[i], TOL.gpu_float64, "one-step GD linear")


@pytest.mark.parametrize("model", [OneStepGDLinear(), OneStepGDSoftmax(label_offset=1.0)])
def test_readout_path_equals_one_readout_per_step_size(model):
    rng = np.random.default_rng(7)
    n, d = 5, 7
    xs, xq, g = _t(rng.standard_normal((B, n, d))), _t(rng.standard_normal((B, d))), _t(rng.standard_normal((B, d)))
    etas = [0.0, 0.3, 2.0, 11.0]
    path = torch.stack(list(model.readout_path(xs, xq, g, etas)))  # (E, B)
    expected = torch.stack([model.readout(xs, xq, eta * g) for eta in etas])
    assert path.shape == (len(etas), B)
    assert_close(path.numpy(), expected.numpy(), TOL.gpu_float64, f"{type(model).__name__} readout path")
