"""Att-SVM solver: certificate, infeasible status, parameter reuse, input errors."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_svm import att_svm_rows, locally_optimal, solve_att_svm, solve_prompt_svm
from attnlab.theory.tf_svm.examples import duplicate_token_instance, mmts_single_input, random_instance


def test_frobenius_solution_is_certified_and_satisfies_kkt():
    inst = random_instance(3, 5, 7, seed=1)
    sol = solve_att_svm(inst.X, inst.Z, (0, 1, 2))
    assert sol.status == "optimal" and sol.certificate.ok and sol.solver == "CLARABEL"
    A = att_svm_rows(inst.X, inst.Z, (0, 1, 2))  # (n, T-1, d, d)
    lam = sol.duals[sol.duals > 0]
    assert np.all(sol.duals >= 0)
    W_kkt = np.einsum("nt,ntde->de", sol.duals[~np.eye(5, dtype=bool)[[0, 1, 2]]].reshape(3, 4), A)
    assert_close(W_kkt, sol.W, TOL.solver, "W = sum lambda A")
    assert lam.size > 0 and np.all(np.isfinite(sol.margins[sol.support]))


def test_nuclear_solution_is_certified_and_no_larger_in_nuclear_norm():
    inst = random_instance(2, 3, 5, seed=2)
    F = solve_att_svm(inst.X, inst.Z, (0, 1), "fro")
    N = solve_att_svm(inst.X, inst.Z, (0, 1), "nuc")
    assert N.status == "optimal" and N.certificate.ok
    assert N.objective <= np.linalg.svd(F.W, compute_uv=False).sum() + TOL.solver.allowance(N.objective)


def test_infeasible_instance_is_a_status_not_a_number():
    inst = duplicate_token_instance()
    sol = solve_att_svm(inst.X, inst.Z, (0, 0, 0))
    assert sol.status == "infeasible" and sol.W is None and sol.objective is None


def test_cached_and_uncached_solves_agree():
    inst = random_instance(2, 3, 5, seed=3)
    a = solve_att_svm(inst.X, inst.Z, (1, 2), cache=True)
    b = solve_att_svm(inst.X, inst.Z, (1, 2), cache=False)
    assert_close(a.W, b.W, TOL.solver, "cached vs cold")


def test_prompt_svm_reproduces_the_mmts_single_input_solution():
    inst = mmts_single_input(0.9)
    sol = solve_prompt_svm(inst.keys, (0,))
    assert_close(sol.p, np.array([-0.1, 1.0]) / 1.01, TOL.solver, "p^mm_a")
    assert sol.support.tolist() == [[False, False, True]]


def test_local_optimality_switches_with_the_score_of_the_support_token():
    from attnlab.theory.tf_svm.attention_svm import locally_optimal_prompt

    for gamma_c, expected in ((0.0, "locally-optimal"), (0.9, "ambiguous"), (0.95, "not-locally-optimal")):
        inst = mmts_single_input(gamma_c)
        assert locally_optimal_prompt(inst.keys, inst.X, inst.v, inst.Y, (1,)).status == expected


def test_optimal_alpha_is_locally_optimal():
    inst = random_instance(3, 5, 7, seed=4)
    opt = np.argmax(inst.X @ inst.v * inst.Y[:, None], axis=1)
    assert locally_optimal(inst.X, inst.Z, inst.v, inst.Y, opt).is_locally_optimal


@pytest.mark.parametrize("bad", ["nan", "shape", "alpha"])
def test_bad_input_raises_a_clear_error(bad):
    inst = random_instance(2, 3, 5, seed=0)
    X, Z, alpha = inst.X.copy(), inst.Z, (0, 1)
    if bad == "nan":
        X[0, 0, 0] = np.nan
    elif bad == "shape":
        Z = Z.T
    else:
        alpha = (0, 3)
    with pytest.raises(InvalidInputError):
        solve_att_svm(X, Z, alpha)


@pytest.mark.parametrize("norm", ["fro", "nuc"])
def test_direct_dual_solve_agrees_with_the_cvxpy_primal(norm):
    from attnlab.theory.tf_svm._margin_qp import solve_margin_problem

    inst = random_instance(3, 5, 7, seed=5)
    opt = np.argmax(inst.X @ inst.v * inst.Y[:, None], axis=1)
    A = att_svm_rows(inst.X, inst.Z, opt).reshape(-1, 49)
    b = np.ones(A.shape[0])
    direct = solve_margin_problem(A, b, (7, 7), norm, method="direct")
    ref = solve_margin_problem(A, b, (7, 7), norm, method="cvxpy", cache=False)
    assert direct.status == ref.status == "optimal" and direct.certificate.ok
    assert_close(direct.objective, ref.objective, TOL.solver, "objective")
    if norm == "fro":  # unique minimiser; the nuclear one need not be (spec pitfall 4)
        assert_close(direct.w, ref.w, TOL.solver, "w")


def test_nuclear_solution_lies_in_the_span_of_the_queries():
    inst = random_instance(3, 5, 7, seed=6)  # n = 3 queries in d = 7: W z_i only sees span(Z)
    sol = solve_att_svm(inst.X, inst.Z, (0, 1, 2), "nuc")
    Q, _ = np.linalg.qr(inst.Z.T)
    assert sol.optimal
    assert_close(sol.W @ Q @ Q.T, sol.W, TOL.solver, "W = W P_Z")


@pytest.mark.parametrize("norm", ["fro", "nuc"])
def test_direct_infeasible_status_comes_with_a_checked_farkas_ray(norm):
    from attnlab.theory.tf_svm._margin_scale import farkas_ray, scale_rows

    inst = duplicate_token_instance()
    sol = solve_att_svm(inst.X, inst.Z, (0, 0, 0), norm)
    assert sol.status == "infeasible" and sol.farkas.certifies_infeasible
    A = att_svm_rows(inst.X, inst.Z, (0, 0, 0)).reshape(-1, inst.X.shape[2] ** 2)
    shifted = A + 1.0  # every row gains the same positive direction: feasible, so no ray may be accepted
    b = np.ones(A.shape[0])
    ray = farkas_ray(shifted, b, np.ones(A.shape[0]), norm, (inst.X.shape[2],) * 2, scale_rows(shifted, b))
    assert ray is None or not ray.certifies_infeasible


@pytest.mark.parametrize("norm", ["fro", "nuc"])
def test_direct_retries_with_the_next_settings_before_the_cvxpy_fallback(norm, monkeypatch):
    import attnlab.theory.tf_svm._margin_qp as mq

    inst = random_instance(3, 5, 7, seed=5)
    opt = np.argmax(inst.X @ inst.v * inst.Y[:, None], axis=1)
    A = att_svm_rows(inst.X, inst.Z, opt).reshape(-1, 49)
    b = np.ones(A.shape[0])
    ref = mq.solve_margin_problem(A, b, (7, 7), norm, method="direct")
    # first attempt stops after one iteration (not Solved), so only the second attempt can answer
    monkeypatch.setattr(mq, "_DIRECT_ATTEMPTS", ({"max_iter": 1}, {}))
    monkeypatch.setattr(mq, "_solve_cvxpy", lambda *a, **k: pytest.fail("fell back to cvxpy"))
    sol = mq.solve_margin_problem(A, b, (7, 7), norm, method="direct")
    assert sol.status == "optimal" and sol.certificate.ok
    assert_close(sol.objective, ref.objective, TOL.solver, "objective")
