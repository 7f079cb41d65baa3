"""The one optimisation engine: the generic loop, every tf_svm parameterisation batched, and its torch twin.

Shapes are distinct (B = 2, n = 3, T = 5, d = 7, d' = m = 11) so a swapped axis cannot pass.
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.optim import run_gd
from attnlab.theory.tf_svm import attention_gd as T
from attnlab.theory.tf_svm.examples import random_instance

B, N, TT, D, M = 2, 3, 5, 7, 11


def _batch(seed=0):
    insts = [random_instance(N, TT, D, seed=seed + b, random_labels=True) for b in range(B)]
    X, Z, v, Y = (np.stack([getattr(i, a) for i in insts]) for a in "XZvY")
    keys = X @ np.random.default_rng(seed).normal(size=(D, M))  # prompt keys W^T x (d' = 11)
    return X, Z, v, Y, keys


def _runs(cfg, **torch_kw):
    """Every parameterisation from the same starts: {name: BatchGdResult}; in torch when ``torch_kw`` is given."""
    X, Z, v, Y, keys = _batch()
    rng = np.random.default_rng(1)
    W0, K0, Q0 = 0.1 * rng.normal(size=(B, D, D)), 0.3 * rng.normal(size=(B, D, M)), 0.3 * rng.normal(size=(B, D, M))
    p0, v0 = rng.normal(size=(B, M)), rng.normal(size=(B, D))
    if torch_kw:
        from attnlab.gpu.tf_svm.attention_gd import on_device

        def call(fn, *args):
            return on_device(fn, *args, keep_s=True, **torch_kw)
    else:
        def call(fn, *args):
            return fn(*args, keep_s=True)
    return {"W": call(T.batched_gd_w, X, Z, v, Y, W0, cfg),
            "KQ": call(T.batched_gd_kq, X, Z, v, Y, K0, Q0, cfg),
            "p": call(T.batched_gd_p, keys, X, v, Y, p0, cfg),
            "vp": call(T.batched_gd_vp, keys, X, Y, p0, v0, cfg)}


# ---------------------------------------------------------------- the generic loop


def _quadratic(c):
    return lambda params: ((params[0] - c,), None)  # grad of 1/2 ||P - c||^2


def test_normalised_gd_moves_exactly_eta_per_step_and_plain_gd_contracts():
    c = np.zeros((B, N))
    P0 = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 10.0]])  # distances 5 and 10
    tr = run_gd((P0,), _quadratic(c), steps=7, eta=0.5)
    assert_close(np.linalg.norm(tr.params[0], axis=1), np.array([5.0 - 3.5, 10.0 - 3.5]), TOL.float64_exact, "NGD")
    plain = run_gd((P0,), _quadratic(c), steps=7, eta=0.5, normalized=False)
    assert_close(plain.params[0], 0.5**7 * P0, TOL.float64_exact, "GD contracts by (1 - eta) per step")


def test_an_instance_with_a_zero_gradient_freezes_while_the_others_run():
    c = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    P0 = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])  # instance 0 starts at its minimum
    tr = run_gd((P0,), _quadratic(c), steps=4, eta=0.1)
    assert tr.stopped_by == ("zero-gradient", "steps") and tr.steps_run.tolist() == [0, 4]
    assert np.array_equal(tr.params[0][0], P0[0])


def test_with_eps_a_zero_gradient_is_a_zero_step_not_a_stop():
    c = np.zeros((1, 2))
    tr = run_gd((np.zeros((1, 2)),), _quadratic(c), steps=3, eta=0.1, eps=1e-16)
    assert tr.stopped_by == ("steps",) and tr.steps_run.tolist() == [3]


def test_a_stopping_rule_freezes_only_its_instances_and_the_last_iterate_is_always_logged():
    c = np.zeros((B, 1))
    P0 = np.array([[1.0], [5.0]])
    tr = run_gd((P0,), _quadratic(c), steps=10, eta=0.5, log_every=4,
                stop=lambda k, params, aux: np.abs(params[0][:, 0]) < 2.5)
    assert tr.stopped_by == ("stop", "stop") and tr.steps_run.tolist() == [0, 6]
    assert tr.log_steps == (0, 4, 6) and np.array_equal(tr.log_params[-1][0], tr.params[0])


def test_the_loop_ends_after_steps_updates():
    tr = run_gd((np.ones((B, 3)),), _quadratic(np.zeros((B, 3))), steps=5, eta=0.01, log_every=2)
    assert tr.log_steps == (0, 2, 4, 5) and tr.steps_run.tolist() == [5, 5]


# ---------------------------------------------------------------- tf_svm parameterisations (numpy)


@pytest.mark.parametrize("normalized", [True, False])
def test_batched_runs_equal_one_run_per_instance(normalized):
    X, Z, v, Y, keys = _batch()
    cfg = T.GdConfig(steps=40, eta=0.1 if normalized else 1.0, normalized=normalized, log_every=10)
    runs = _runs(cfg)
    rng = np.random.default_rng(1)
    W0, K0, Q0 = 0.1 * rng.normal(size=(B, D, D)), 0.3 * rng.normal(size=(B, D, M)), 0.3 * rng.normal(size=(B, D, M))
    p0, v0 = rng.normal(size=(B, M)), rng.normal(size=(B, D))
    for b in range(B):
        one = {"W": T.run_gd_w(X[b], Z[b], v[b], Y[b], W0[b], cfg),
               "KQ": T.run_gd_kq(X[b], Z[b], v[b], Y[b], K0[b], Q0[b], cfg),
               "p": T.run_gd_p(keys[b], X[b], v[b], Y[b], p0[b], cfg),
               "vp": T.run_gd_vp(keys[b], X[b], Y[b], p0[b], v0[b], cfg)}
        for name, res in one.items():
            assert_close(runs[name].W[b], res.W, TOL.float64_exact, f"{name} instance {b}")
            assert runs[name].log_steps == res.log_steps == (0, 10, 20, 30, 40)
        assert_close(runs["vp"].v[b], one["vp"].v, TOL.float64_exact, "joint v")
    assert runs["W"].log_s.shape == (5, B, N, TT) and runs["KQ"].W.shape == (B, D, D)
    assert runs["p"].W.shape == (B, M) and runs["vp"].v.shape == (B, D)


def test_kq_factors_multiply_to_w_and_the_loss_decreases():
    runs = _runs(T.GdConfig(steps=60, log_every=30))
    kq = runs["KQ"]
    assert_close(kq.W, kq.K @ np.swapaxes(kq.Q, 1, 2), TOL.float64_exact, "W = K Q^T")
    X, Z, v, Y, _ = _batch()
    for b in range(B):
        L0 = T.grad_w(X[b], Z[b], v[b], Y[b], kq.log_W[0, b])[0]
        assert kq.loss[b] < L0


def test_prompt_gradient_matches_central_differences():
    X, _, v, Y, keys = _batch(3)
    p, E = np.random.default_rng(2).normal(size=(2, M))
    h = 1e-6
    num = (T.grad_p(keys[0], X[0], v[0], Y[0], p + h * E)[0] - T.grad_p(keys[0], X[0], v[0], Y[0], p - h * E)[0]) / (2 * h)
    assert_close(num, np.sum(T.grad_p(keys[0], X[0], v[0], Y[0], p)[1] * E), TOL.finite_difference, "dL/dp . E")


def test_w_gradient_accepts_a_batch_of_matrices_for_one_instance():
    X, Z, v, Y, _ = _batch()
    Ws = np.random.default_rng(4).normal(size=(B, D, D))
    G = T.grad_w(X[0], Z[0], v[0], Y[0], Ws)[1]
    for b in range(B):
        assert_close(G[b], T.grad_w(X[0], Z[0], v[0], Y[0], Ws[b])[1], TOL.float64_exact, f"matrix {b}")


def test_stop_prob_stops_a_run_once_every_other_token_is_suppressed():
    inst = random_instance(2, 3, 5, seed=2)
    res = T.run_gd_w(inst.X, inst.Z, inst.v, inst.Y, np.zeros((5, 5)), T.GdConfig(steps=5000, stop_prob=1e-3))
    assert res.stopped_by == "stop_prob" and res.steps_run < 5000
    s = T.grad_w(inst.X, inst.Z, inst.v, inst.Y, res.W)[2]
    assert T.max_suppressed_prob(s) < 1e-3


def test_batched_inputs_of_the_wrong_shape_are_rejected():
    from attnlab.theory.errors import InvalidInputError

    X, Z, v, Y, _ = _batch()
    with pytest.raises(InvalidInputError, match="W0"):
        T.batched_gd_w(X, Z, v, Y, np.zeros((B, D, D + 1)), T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="Z"):
        T.batched_gd_w(X, np.swapaxes(Z, 1, 2), v, Y, np.zeros((B, D, D)), T.GdConfig(steps=1))


# ---------------------------------------------------------------- the torch twin on CPU


@pytest.mark.parametrize("normalized", [True, False])
def test_torch_twin_equals_numpy_for_every_parameterisation_on_cpu(normalized):
    cfg = T.GdConfig(steps=50, eta=0.1 if normalized else 1.0, normalized=normalized, log_every=25, stop_prob=0.05)
    ours, twin = _runs(cfg), _runs(cfg, device="cpu")
    for name in ours:
        a, b = ours[name], twin[name]
        assert a.stopped_by == b.stopped_by and np.array_equal(a.steps_run, b.steps_run), name
        assert a.log_steps == b.log_steps, name
        for field in ("W", "K", "Q", "v", "loss", "log_W", "log_s"):
            if getattr(a, field) is not None:
                assert_close(getattr(b, field), getattr(a, field), TOL.gpu_float64, f"{name}.{field}")


def test_torch_twin_runs_in_float32_within_the_float32_policy():
    cfg = T.GdConfig(steps=5)
    a, b = _runs(cfg)["W"], _runs(cfg, device="cpu", dtype="float32")["W"]
    assert_close(b.W, a.W, TOL.gpu_float32, "float32 W")
