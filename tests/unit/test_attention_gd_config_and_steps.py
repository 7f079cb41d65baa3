"""tf_svm GD (``attnlab.theory.tf_svm.attention_gd``): the config's bounds, one exact step of each parameterisation
(with the (K, Q) regulariser and a non-default loss), the suppressed-probability rule and the batched inputs' checks.

Shapes are distinct (n = 3 inputs, T = 5 tokens, d = 7, m = 11) so a swapped axis cannot pass."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm import attention_gd as T
from attnlab.theory.tf_svm.examples import random_instance

N, TT, D, M = 3, 5, 7, 11


def _inst(seed=0):
    return random_instance(N, TT, D, seed=seed, random_labels=True)


@pytest.mark.parametrize("kw", [dict(steps=0), dict(eta=1e-12), dict(log_every=0), dict(kq_reg=0.0), dict(eps=0.0),
                                dict(stop_prob=1e-9), dict(stop_prob=0.999)])
def test_config_accepts_the_edges_of_its_ranges(kw):
    T.GdConfig(**kw)


@pytest.mark.parametrize("kw", [dict(steps=-1), dict(eta=0.0), dict(eta=-0.1), dict(log_every=-1), dict(kq_reg=-1e-9),
                                dict(eps=-1e-9), dict(stop_prob=0.0), dict(stop_prob=1.0), dict(stop_prob=-0.5)])
def test_config_rejects_values_outside_its_ranges(kw):
    with pytest.raises(InvalidInputError):
        T.GdConfig(**kw)


def test_one_plain_step_on_w_follows_the_gradient_of_the_chosen_loss():
    inst = _inst()
    W0 = 0.2 * np.random.default_rng(1).normal(size=(D, D))
    for loss in ("logistic", "exponential", "correlation"):
        res = T.run_gd_w(inst.X, inst.Z, inst.v, inst.Y, W0, T.GdConfig(steps=1, eta=0.7, normalized=False), loss)
        G = T.grad_w(inst.X, inst.Z, inst.v, inst.Y, W0, loss)[1]
        assert_close(res.W, W0 - 0.7 * G, TOL.float64_exact, f"one GD step, {loss} loss")
        L1 = T.grad_w(inst.X, inst.Z, inst.v, inst.Y, res.W, loss)[0]
        assert_close(res.loss, L1, TOL.float64_exact, f"loss at the final iterate, {loss}")


def test_one_plain_step_on_k_and_q_includes_the_regulariser_on_each_factor():
    inst = _inst(1)
    rng = np.random.default_rng(2)
    K0, Q0, lam, eta = rng.normal(size=(D, M)), rng.normal(size=(D, M)), 0.3, 0.05
    res = T.run_gd_kq(inst.X, inst.Z, inst.v, inst.Y, K0, Q0, T.GdConfig(steps=1, eta=eta, normalized=False,
                                                                          kq_reg=lam))
    G = T.grad_w(inst.X, inst.Z, inst.v, inst.Y, K0 @ Q0.T)[1]
    assert_close(res.K, K0 - eta * (G @ Q0 + 2 * lam * K0), TOL.float64_exact, "K step")
    assert_close(res.Q, Q0 - eta * (G.T @ K0 + 2 * lam * Q0), TOL.float64_exact, "Q step")
    assert_close(res.W, res.K @ res.Q.T, TOL.float64_exact, "W = K Q^T")


def test_one_normalised_step_on_the_prompt_and_the_head_moves_each_by_eta():
    inst = _inst(2)
    keys = inst.X @ np.random.default_rng(3).normal(size=(D, M))
    rng = np.random.default_rng(4)
    p0, v0 = rng.normal(size=M), rng.normal(size=D)
    res = T.run_gd_vp(keys, inst.X, inst.Y, p0, v0, T.GdConfig(steps=1, eta=0.2))
    _, gp, gv, _ = T.grad_vp(keys, inst.X, inst.Y, p0, v0)
    assert_close(res.W, p0 - 0.2 * gp / np.linalg.norm(gp), TOL.float64_exact, "p step")
    assert_close(res.v, v0 - 0.2 * gv / np.linalg.norm(gv), TOL.float64_exact, "v step")
    assert [len(lp) for lp in res.log_params] == [2] and res.log_steps == (1,)


def test_max_suppressed_prob_is_the_largest_runner_up_probability_over_inputs():
    s = np.array([[0.7, 0.1, 0.05, 0.1, 0.05], [0.2, 0.2, 0.5, 0.05, 0.05], [0.05, 0.05, 0.05, 0.05, 0.8]])
    assert T.max_suppressed_prob(s) == 0.2


def test_a_run_stops_on_whichever_rule_fires_first():
    inst = _inst(3)
    X, Z, v, Y = (a[None] for a in (inst.X, inst.Z, inst.v, inst.Y))
    cfg = T.GdConfig(steps=50, stop_prob=0.999)  # fires at once: every runner-up is below 0.999
    both = T.batched_gd_w(X, Z, v, Y, np.zeros((1, D, D)), cfg, stop=lambda k, p, aux: np.array([k >= 3]))
    assert both.stopped_by == ("stop_prob",) and both.steps_run.tolist() == [0]
    own = T.batched_gd_w(X, Z, v, Y, np.zeros((1, D, D)), T.GdConfig(steps=50),
                         stop=lambda k, p, aux: np.array([k >= 3]))
    assert own.stopped_by == ("stop",) and own.steps_run.tolist() == [3]


def test_batched_inputs_that_are_not_finite_or_not_batched_are_rejected():
    inst = _inst()
    X, Z, v, Y = (a[None] for a in (inst.X, inst.Z, inst.v, inst.Y))
    W0 = np.zeros((1, D, D))
    bad = X.copy()
    bad[0, 1, 2, 3] = np.nan
    with pytest.raises(InvalidInputError, match="finite"):
        T.batched_gd_w(bad, Z, v, Y, W0, T.GdConfig(steps=1))
    for name, arr in (("Z", Z), ("v", v)):
        part = arr.copy()
        part.flat[1] = np.inf  # one entry is enough
        args = {"Z": Z, "v": v} | {name: part}
        with pytest.raises(InvalidInputError, match="finite"):
            T.batched_gd_w(X, args["Z"], args["v"], Y, W0, T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="X must have shape"):
        T.batched_gd_w(X[0], Z, v, Y, W0, T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="K0"):
        T.batched_gd_kq(X, Z, v, Y, np.zeros((1, D + 1, M)), np.zeros((1, D + 1, M)), T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="keys"):
        T.batched_gd_p(np.zeros((1, N, TT + 1, M)), X, v, Y, np.zeros((1, M)), T.GdConfig(steps=1))


def test_single_runs_reject_starts_of_the_wrong_shape():
    inst = _inst()
    with pytest.raises(InvalidInputError, match="W0"):
        T.run_gd_w(inst.X, inst.Z, inst.v, inst.Y, np.zeros((D, D + 1)), T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="K0, Q0"):
        T.run_gd_kq(inst.X, inst.Z, inst.v, inst.Y, np.zeros((D, M)), np.zeros((D, M + 1)), T.GdConfig(steps=1))
    with pytest.raises(InvalidInputError, match="do not match"):
        T.run_gd_p(np.zeros((N, TT, M)), inst.X, inst.v, inst.Y, np.zeros(M + 1), T.GdConfig(steps=1))


def test_batched_runs_log_the_softmax_only_when_asked():
    inst = _inst(4)
    X, Z, v, Y = (a[None] for a in (inst.X, inst.Z, inst.v, inst.Y))
    keys = X @ np.random.default_rng(5).normal(size=(D, M))
    cfg = T.GdConfig(steps=2)
    runs = {"W": T.batched_gd_w(X, Z, v, Y, np.zeros((1, D, D)), cfg),
            "KQ": T.batched_gd_kq(X, Z, v, Y, np.ones((1, D, M)), np.ones((1, D, M)), cfg),
            "p": T.batched_gd_p(keys, X, v, Y, np.ones((1, M)), cfg),
            "vp": T.batched_gd_vp(keys, X, Y, np.ones((1, M)), v, cfg)}
    assert all(r.log_s is None for r in runs.values())
    kept = T.batched_gd_w(X, Z, v, Y, np.zeros((1, D, D)), cfg, keep_s=True)
    assert kept.log_s.shape == (1, 1, N, TT)


def test_the_last_logged_iterate_is_the_final_parameter_of_every_parameterisation():
    inst = _inst(5)
    X, Z, v, Y = (a[None] for a in (inst.X, inst.Z, inst.v, inst.Y))
    keys = X @ np.random.default_rng(6).normal(size=(D, M))
    cfg = T.GdConfig(steps=3, log_every=2)
    runs = {"W": T.batched_gd_w(X, Z, v, Y, np.zeros((1, D, D)), cfg),
            "KQ": T.batched_gd_kq(X, Z, v, Y, np.ones((1, D, M)), np.ones((1, D, M)), cfg),
            "p": T.batched_gd_p(keys, X, v, Y, np.ones((1, M)), cfg),
            "vp": T.batched_gd_vp(keys, X, Y, np.ones((1, M)), v, cfg)}
    for name, r in runs.items():
        assert r.log_steps == (0, 2, 3) and np.array_equal(r.log_W[-1], r.W), name
    assert np.array_equal(runs["vp"].log_v[-1], runs["vp"].v) and runs["vp"].log_v.shape == (3, 1, D)


def test_a_joint_run_logs_pairs_of_prompt_then_head():
    inst = _inst(6)
    keys = inst.X @ np.random.default_rng(7).normal(size=(D, M))
    res = T.run_gd_vp(keys, inst.X, inst.Y, np.ones(M), inst.v, T.GdConfig(steps=2, log_every=1))
    assert len(res.log_params) == 3 and all(p.shape == (M,) and v.shape == (D,) for p, v in res.log_params)
    assert np.array_equal(res.log_params[-1][0], res.W) and np.array_equal(res.log_params[-1][1], res.v)
