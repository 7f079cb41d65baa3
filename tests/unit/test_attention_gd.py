"""Stable gradient, GD runs, regularisation path, and the batched torch GD against theory/ (CPU)."""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.tf_svm.attention_direction import classify_direction, correlation
from attnlab.theory.tf_svm.attention_gd import GdConfig, grad_w, run_gd_kq, run_gd_p, run_gd_w
from attnlab.theory.tf_svm.attention_loss import score_loss_and_grad
from attnlab.theory.tf_svm.attention_regpath import project_norm_ball
from attnlab.theory.tf_svm.examples import mmts_single_input, random_instance


def test_gradient_matches_central_differences():
    inst = random_instance(3, 5, 7, seed=0)
    rng = np.random.default_rng(0)
    W, E = rng.normal(size=(7, 7)), rng.normal(size=(7, 7))
    h = 1e-6
    L1 = grad_w(inst.X, inst.Z, inst.v, inst.Y, W + h * E)[0]
    L0 = grad_w(inst.X, inst.Z, inst.v, inst.Y, W - h * E)[0]
    G = grad_w(inst.X, inst.Z, inst.v, inst.Y, W)[1]
    assert_close((L1 - L0) / (2 * h), np.sum(G * E), TOL.finite_difference, "directional derivative")


def test_stable_gradient_keeps_its_direction_after_saturation():
    inst = random_instance(2, 3, 5, seed=1)
    W = grad_w(inst.X, inst.Z, inst.v, inst.Y, np.eye(5))[1]
    big = -400.0 * W / np.linalg.norm(W)  # margins ~ hundreds: 1 - max s underflows to 0 in float64
    G = grad_w(inst.X, inst.Z, inst.v, inst.Y, big)[1]
    assert np.isfinite(G).all() and np.linalg.norm(G) > 0


def test_ngd_reaches_a_locally_optimal_direction():
    inst = random_instance(2, 3, 5, seed=2)
    res = run_gd_w(inst.X, inst.Z, inst.v, inst.Y, np.zeros((5, 5)), GdConfig(steps=1500))
    verdict = classify_direction(inst.X, inst.Z, inst.v, inst.Y, res.W)
    assert verdict.label in ("global", "local") and verdict.correlation > 0.99


def test_kq_and_prompt_runs_return_their_parameters():
    inst = random_instance(2, 3, 5, seed=3)
    rng = np.random.default_rng(3)
    r = run_gd_kq(inst.X, inst.Z, inst.v, inst.Y, rng.normal(size=(5, 5)), rng.normal(size=(5, 5)), GdConfig(steps=50))
    assert_close(r.W, r.K @ r.Q.T, TOL.float64_exact, "W = K Q^T")
    toy = mmts_single_input(0.9)
    p = run_gd_p(toy.keys, toy.X, toy.v, toy.Y, np.array([0.0, 1.0]), GdConfig(steps=800)).W
    assert correlation(p, [-0.1, 1.0]) > 0.99


def test_nuclear_projection_lands_on_the_ball():
    W = np.random.default_rng(4).normal(size=(5, 7))
    P = project_norm_ball(W, 2.0, "nuc")
    assert_close(np.linalg.svd(P, compute_uv=False).sum(), 2.0, TOL.float64_exact, "nuclear norm")


def test_numpy_core_broadcasts_over_a_batch_axis():
    inst = random_instance(2, 3, 5, seed=5)
    g = inst.Y[:, None] * (inst.X @ inst.v)
    q = inst.Z @ np.eye(5)
    L, U, _ = score_loss_and_grad(np.stack([inst.X] * 2), np.stack([q] * 2), np.stack([g] * 2))
    L1, U1, _ = score_loss_and_grad(inst.X, q, g)
    assert_close(U[1], U1, TOL.float64_exact, "batched U")
