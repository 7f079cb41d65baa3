"""tf_svm A1 (2-D GD paths) and A5 (multi-token, ReLU head) at tiny sizes, plus the generalised SVM solver."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from attnlab.experiments.tf_svm import gd_paths_2d as a1
from attnlab.experiments.tf_svm import multi_token_nonlinear as a5
from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.errors import ConfigError, InvalidInputError
from attnlab.theory.tf_svm.attention_model import relu_head_output
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.attention_svm_nonlinear import (
    fit_svmeq,
    generalized_svm_rows,
    solve_generalized_svm,
)
from attnlab.theory.tf_svm.examples import random_instance

TINY = {
    "a1": (a1, replace(a1.Config.smoke(), instances=("vis1",), steps=30, log_every=10, random_inits=1,
                       local_rays=False)),
    "a5": (a5, replace(a5.Config.smoke(), d_values=(4,), instances=2, steps=301, log_every=100, chunk=8,
                       max_attempts=200)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {k: (mod, cfg, mod.run(cfg, 0)) for k, (mod, cfg) in TINY.items()}


@pytest.mark.parametrize("mod,bad", [
    (a1, {"instances": ("vis3",)}), (a1, {"log_every": 0}), (a1, {"instance_rng": "jax"}), (a1, {"random_inits": -1}),
    (a5, {"d_values": ()}), (a5, {"T": 1}), (a5, {"max_attempts": 1}), (a5, {"eta": 0.0}),
])
def test_bad_config_raises_config_error(mod, bad):
    with pytest.raises(ConfigError):
        replace(mod.Config.smoke(), **bad)


def test_vis_instances_have_the_notebook_layout():
    v2 = a1.vis_instance("vis2")
    assert v2.X.shape == (2, 5, 2)
    assert np.array_equal(v2.X[:, 0], [[1.0, 0.5], [1.0, -0.5]])
    assert a1.vis_instance("vis1").X.shape == (2, 3, 2)
    assert is_close(np.linalg.norm(v2.Z, axis=1), np.ones(2), TOL.gpu_float32)  # normalised in float32, as there


def test_relu_head_gradient_matches_central_differences():
    X, Y, Z, V = a5.relu_instance(3, 4, 5, seed=7)
    W = np.random.default_rng(0).normal(size=(5, 5))
    G, _ = a5.relu_head_grad(X[None], Y[None], Z[None], V[None], W[None])

    def loss(M):
        return float(np.mean(np.log1p(np.exp(-Y * relu_head_output(X, M, Z, V)))))

    h = 1e-6
    fd = np.zeros_like(W)
    for a in range(5):
        for b in range(5):
            E = np.zeros_like(W)
            E[a, b] = h
            fd[a, b] = (loss(W + E) - loss(W - E)) / (2 * h)
    assert is_close(G[0], fd, TOL.finite_difference)


def test_generalized_svm_is_certified_and_meets_its_constraints():
    inst = random_instance(3, 4, 6, seed=2)
    s = np.array([[0.5, 0.5 - 1e-9, 1e-9, 1e-20], [1.0, 1e-18, 1e-18, 1e-18], [0.3, 0.3, 0.4, 1e-12]])
    g = solve_generalized_svm(inst.X, inst.Z, s)
    assert g.optimal and g.svm.certificate.ok and g.fin.certificate.ok
    A_eq, A_in, A_fin, b_fin = generalized_svm_rows(inst.X, inst.Z, g.selected, s)
    w = g.svm.W.ravel()
    assert is_close(A_eq @ w, np.zeros(len(A_eq)), TOL.solver)
    assert np.all(A_in @ w >= 1 - TOL.solver.allowance(1.0))
    assert is_close(A_fin @ g.fin.W.ravel(), b_fin, TOL.solver)
    eq, R = fit_svmeq(g.fin.W + 3.0 * g.svm.W, g.fin.W, g.svm.W)
    assert is_close(R, 3.0, TOL.float64_exact)


def test_generalized_svm_with_single_tokens_is_the_att_svm():
    inst = random_instance(3, 4, 6, seed=3)
    s = np.full((3, 4), 1e-12)
    alpha = np.array([0, 2, 1])
    s[np.arange(3), alpha] = 1.0
    g = solve_generalized_svm(inst.X, inst.Z, s)
    ref = solve_att_svm(inst.X, inst.Z, alpha, "fro")
    assert g.optimal and ref.optimal
    assert is_close(g.svm.W, ref.W, TOL.solver)
    assert is_close(g.fin.W, np.zeros((6, 6)), TOL.float64_exact)


def test_generalized_svm_reports_infeasible_as_a_status():
    inst = random_instance(2, 3, 1, seed=0)  # d = 1: W is a scalar; opposite demands are infeasible
    X = inst.X.copy()
    X[0] = [[1.0], [0.0], [0.0]]
    X[1] = [[0.0], [1.0], [1.0]]
    Z = np.ones((2, 1))
    s = np.array([[1.0, 1e-12, 1e-12], [1.0, 1e-12, 1e-12]])
    g = solve_generalized_svm(X, Z, s)
    assert g.svm.status == "infeasible" and g.svm.W is None
    with pytest.raises(InvalidInputError):
        solve_generalized_svm(X, Z, np.full((2, 3), 1e-9))
