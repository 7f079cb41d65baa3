"""Two edges the mutation harness found: the Newton-Schulz AlgoFormer on a *batch* of regressions (the trace reads
the workspace through negative axes, which an unbatched call cannot tell from positive ones), and the trivial
margin problem (no row demands a positive margin, so w = 0 is exactly optimal), exact zero rows and the
certificate's verdict in the max-margin scaling (``_margin_scale``).

Shapes are distinct (B = 3 regressions of n = 7 points in d = 5; 3 rows in 5 unknowns)."""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.algoformer import newton as nw
from attnlab.theory.tf_svm._margin_scale import Certificate, _rel, certificate, scale_rows
from attnlab.theory.tf_svm.attention_svm import solve_prompt_svm


def test_a_batch_of_regressions_gives_each_regression_its_own_newton_schulz_trace():
    rng = np.random.default_rng(0)
    X, y, xq = rng.normal(size=(3, 7, 5)), rng.normal(size=(3, 7)), rng.normal(size=(3, 5))
    alpha = 0.05
    batch = nw.newton_M_trace(X, y, xq, alpha, 4)
    assert batch.shape == (5, 3, 5, 5)
    preds = nw.newton_predictions(X, y, xq, alpha, 4)
    assert preds.shape == (5, 3)
    for i in range(3):
        assert_close(batch[:, i], nw.newton_M_trace(X[i], y[i], xq[i], alpha, 4), TOL.float64_exact, f"instance {i}")
        assert_close(preds[:, i], nw.newton_predictions(X[i], y[i], xq[i], alpha, 4), TOL.float64_exact, f"pred {i}")


def test_a_margin_problem_is_trivial_only_when_no_row_demands_a_positive_margin():
    A = np.random.default_rng(1).normal(size=(3, 5))
    assert scale_rows(A, np.array([0.0, -1.0, 0.0])).trivial
    assert not scale_rows(A, np.array([0.0, -1.0, 1e-9])).trivial
    zero_first = A.copy()
    zero_first[0] = 0.0  # 0 >= 1 on row 0: exactly infeasible, never trivial
    scaling = scale_rows(zero_first, np.array([1.0, -1.0, -2.0]))
    assert scaling.zero_infeasible == 0 and not scaling.trivial


def test_relaxing_every_input_gives_the_zero_prompt_exactly():
    keys = np.random.default_rng(2).normal(size=(3, 5, 7))
    sol = solve_prompt_svm(keys, (0, 4, 2), relax=np.ones(3, dtype=bool))
    assert sol.optimal and sol.objective == 0.0 and np.array_equal(sol.p, np.zeros(7))
    assert sol.certificate.ok and sol.certificate.margins_resolved and not np.any(sol.duals)


def test_zero_rows_are_decided_exactly_and_left_out_of_beta():
    A = np.random.default_rng(3).normal(size=(3, 5))
    A[1] = 0.0
    b = np.array([2.0, 0.0, 0.5])
    scaling = scale_rows(A, b)  # the zero row demands 0 >= 0: always met, dropped
    assert scaling.zero_infeasible == -1 and scaling.keep.tolist() == [True, False, True]
    norms = np.linalg.norm(A, axis=1)
    assert scaling.beta == max(2.0 / norms[0], 0.5 / norms[2])
    all_zero = scale_rows(np.zeros((3, 5)), np.array([0.0, -1.0, 0.0]))
    assert all_zero.beta == 0.0 and all_zero.trivial and all_zero.zero_infeasible == -1


def test_a_certificate_is_ok_only_when_every_relative_residual_is_within_the_kkt_tolerance():
    allow = TOL.svm_kkt.allowance(1.0)  # residuals are already relative to the data's scale
    good = Certificate(0.5 * allow, 0.0, 0.0, 0.0, 0.0, 1.0, TOL.svm_kkt)
    assert good.ok and good.margins_resolved
    for k in range(5):
        res = [0.0] * 5
        res[k] = 1.5 * allow
        assert not Certificate(*res, 1.0, TOL.svm_kkt).ok, k
        res[k] = np.nan
        assert not Certificate(*res, 1.0, TOL.svm_kkt).ok, k
    d = Certificate(0.5 * allow, 0.0, 0.0, 0.0, 0.0, 3.0, TOL.svm_kkt, margin_violation=0.25).to_dict()
    assert d["primal_infeasibility"] == 0.5 * allow and d["condition"] == 3.0 and d["margin_violation"] == 0.25
    assert d["ok"] is True and d["margins_resolved"] is False and d["tolerance"] == TOL.svm_kkt.to_dict()


def test_a_relative_residual_with_nothing_to_scale_by_is_zero_if_zero_else_infinite():
    assert _rel(2.0, 4.0) == 0.5 and _rel(2.0, 0.5) == 4.0
    assert _rel(0.0, 0.0) == 0.0 and _rel(0.5, 0.0) == np.inf and _rel(1e-300, 0.0) == np.inf


def test_the_trivial_problem_certifies_only_the_zero_solution_with_zero_multipliers():
    A = np.random.default_rng(4).normal(size=(3, 5))
    b = np.array([0.0, -1.0, -0.5])
    scaling = scale_rows(A, b)
    zero_w, zero_lam = np.zeros(5), np.zeros(3)
    cert, objective = certificate(A, b, zero_w, zero_lam, "fro", (5,), scaling)
    assert cert.ok and cert.condition == 0.0 and objective == 0.0
    one_w, one_lam = zero_w.copy(), zero_lam.copy()
    one_w[3], one_lam[1] = 1e-3, 1e-3  # a single non-zero entry is enough
    assert not certificate(A, b, one_w, zero_lam, "fro", (5,), scaling)[0].ok
    assert not certificate(A, b, zero_w, one_lam, "fro", (5,), scaling)[0].ok


def test_a_rounding_level_negative_multiplier_is_measured_against_the_largest_one():
    from attnlab.theory.tf_svm._margin_qp import solve_margin_problem

    A = np.random.default_rng(5).normal(size=(12, 7))
    b = np.ones(12)
    raw = solve_margin_problem(A, b, (7,), "fro")
    assert raw.status == "optimal"
    lam = raw.lam.copy()
    k = int(np.argmin(lam))  # an inactive row's multiplier, nudged to -1e-14 of the largest
    lam[k] = -1e-14 * np.max(np.abs(lam))
    cert = certificate(A, b, raw.w, lam, "fro", (7,), scale_rows(A, b))[0]
    assert 0.0 < cert.dual_infeasibility <= 1e-12 and cert.ok  # relative to the largest multiplier, not the smallest


def test_nuclear_stationarity_adds_the_alignment_residual_and_the_excess_of_the_subgradient_norm():
    # rows = the 4 coordinates of vec(W) for 2 x 2 W, b = vec(I): W = I, ||W||_* = 2; multipliers (1.5, 0, 0, 1.2)
    # give G = diag(1.5, 1.2): <G, W> - ||W||_* = 0.7 (relative 0.35) and ||G||_2 - 1 = 0.5, so the residual is 0.85
    A, b = np.eye(4), np.array([1.0, 0.0, 0.0, 1.0])
    cert = certificate(A, b, b.copy(), np.array([1.5, 0.0, 0.0, 1.2]), "nuc", (2, 2), scale_rows(A, b))[0]
    assert_close(cert.stationarity, 0.85, TOL.float64_exact, "stationarity")
    assert not cert.ok
    exact = certificate(A, b, b.copy(), b.copy(), "nuc", (2, 2), scale_rows(A, b))[0]
    assert exact.stationarity == 0.0 and exact.ok


def test_a_violated_margin_shows_as_primal_infeasibility():
    A, b = np.eye(4), np.array([1.0, 0.0, 0.0, 1.0])  # as above; W = I / 2 misses the margins by 1/2
    cert = certificate(A, b, 0.5 * b, b.copy(), "nuc", (2, 2), scale_rows(A, b))[0]
    assert cert.primal_infeasibility == 0.5 and cert.margin_violation == 0.5 and not cert.ok
