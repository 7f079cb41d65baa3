"""The independent references and positive-control builders behind the tf_svm structure and landscape claims."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks.tf_svm.built_instances import SHAPES_BOTH, _planted
from attnlab.proofs_checks.tf_svm.gradient_ratio import gradient_ratio, region_radius, rho_lower_bound
from attnlab.proofs_checks.tf_svm.reference_svm import exact_wmm, primal_wmm, quantised, reference_loss
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.examples import random_instance, stationary_point_instance


@pytest.mark.parametrize("shape", SHAPES_BOTH)
def test_planted_selections_are_feasible_for_every_shape_including_n_greater_than_d(shape):
    inst, alpha, _ = _planted(*shape, seed=11)
    assert solve_att_svm(inst.X, inst.Z, alpha).optimal


def test_exact_rational_wmm_and_primal_solve_agree_with_the_solver():
    inst, alpha, _ = _planted(3, 5, 7, seed=3)
    X, Z = quantised(inst.X), quantised(inst.Z)
    sol = solve_att_svm(X, Z, alpha)
    kkt, We = exact_wmm(X, Z, alpha, sol.support)
    assert kkt.ok
    assert_close(sol.W, np.array(We.tolist(), dtype=float), TOL.solver, "solver vs exact KKT")
    assert_close(primal_wmm(X, Z, alpha), sol.W, TOL.solver, "primal vs solver")


def test_reference_loss_matches_the_package_loss():
    inst = random_instance(3, 5, 7, seed=2, random_labels=True)
    W = np.random.default_rng(0).normal(size=(7, 7))
    L, _ = reference_loss(inst.X, inst.Z, inst.v, inst.Y, W)
    assert_close(float(grad_w(inst.X, inst.Z, inst.v, inst.Y, W)[0]), L, TOL.float64_exact, "loss")


def test_gradient_ratio_stays_above_its_lower_bound_from_small_to_saturated_scales():
    inst = random_instance(2, 3, 5, seed=4, random_labels=True)
    R = region_radius(inst.X, inst.Z)
    U = np.random.default_rng(1).normal(size=(64, 5, 5))
    U /= np.linalg.norm(U.reshape(64, -1), axis=1)[:, None, None]
    for r in (0.01, 1.0, 30.0, R):
        assert gradient_ratio(inst, r * U).min() >= rho_lower_bound(inst.X, inst.Z)


def test_gradient_ratio_does_not_underflow_to_a_false_stationary_point_at_the_region_edge():
    # budget 20 seed 0 regression: along W^mm_(0, 0) at R_max the gradient entries are ~1e-169 and
    # np.linalg.norm squared them to 0, reporting rho = 0
    inst = random_instance(2, 3, 5, seed=246, random_labels=True)
    Wm = solve_att_svm(inst.X, inst.Z, (0, 0)).W
    W = region_radius(inst.X, inst.Z) * Wm / np.linalg.norm(Wm)
    assert gradient_ratio(inst, W[None])[0] >= rho_lower_bound(inst.X, inst.Z)


def test_the_under_parameterised_instance_is_stationary_at_zero():
    inst = stationary_point_instance()
    assert gradient_ratio(inst, np.zeros((1, 1, 1)))[0] == 0.0
    assert rho_lower_bound(inst.X, inst.Z) == 0.0


def test_inputs_sharing_two_queries_give_a_solver_rank_of_exactly_two():
    from attnlab.proofs_checks.tf_svm.strategies import Drawn
    from attnlab.proofs_checks.tf_svm.svm_structure import _rank_eval

    inst, alpha, seed = _planted(6, 3, 7, seed=5, queries=2)
    comp = _rank_eval(Drawn(inst, alpha, 1.0, seed))
    assert (comp.lhs, comp.rhs) == (2.0, 2.0)
