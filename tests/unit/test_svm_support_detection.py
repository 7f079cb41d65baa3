r"""Support detection of the max-margin solvers (``attention_svm._active``): a constraint $a_k^\top w \ge b_k$ is
active when $|a_k^\top w - b_k| \le$ ``TOL.margin.rtol`` $|b_k|$ + ``TOL.svm_kkt`` $\|a_k\|\beta$, with
$\beta = \max_k b_k/\|a_k\|$ over non-zero rows, and ``TOL.margin.allowance(1)`` where that sum is 0.

Each case sets the residuals of a diagonal system by hand, one on each side of the allowance it tests, so the
mutation harness's planted changes to the rule (a dropped term, a term divided instead of multiplied, the
wrong fallback) are each caught by one row."""

from __future__ import annotations

import numpy as np

from attnlab.theory.tf_svm.attention_svm import _active, solve_att_svm
from attnlab.theory.tf_svm.examples import random_instance


def _system(row_norms, b, residuals, d=7):
    """Rows ``row_norms[k] e_k`` in R^d and the w with a_k^T w - b_k = residuals[k] (zero rows: residual 0)."""
    row_norms, b, residuals = (np.asarray(v, dtype=float) for v in (row_norms, b, residuals))
    A = np.zeros((row_norms.size, d))
    A[np.arange(row_norms.size), np.arange(row_norms.size)] = row_norms
    w = np.zeros(d)
    nz = row_norms > 0
    w[np.flatnonzero(nz)] = (b[nz] + residuals[nz]) / row_norms[nz]
    return A, b, w


def test_on_well_scaled_rows_the_margin_allowance_is_relative_to_each_right_hand_side():
    # beta = 4: allowances 4.04e-6, 1.04e-6, 1.04e-6, 1.04e-6
    A, b, w = _system([1.0, 1.0, 1.0, 1.0, 1.0], [4.0, 1.0, 1.0, 1.0, 1.0], [2e-6, 5e-7, 1.5e-6, 0.5, -5e-7])
    assert _active(A, b, w).tolist() == [True, True, False, False, True]


def test_a_near_duplicate_row_widens_every_allowance_by_what_the_certificate_verified():
    # a row of norm 1e-7 gives beta = 1e7: the rows of norm 2 get 1e-6 + 1e-8 * 2 * 1e7 = 0.2 + 1e-6
    A, b, w = _system([1e-7, 2.0, 2.0, 2.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.1, 0.3, 0.19])
    assert _active(A, b, w).tolist() == [True, True, False, True]


def test_a_zero_row_does_not_enter_beta():
    # the same near-duplicate system plus an all-zero row with b = 0 (always met; it must not reset beta to 0)
    A, b, w = _system([1e-7, 2.0, 2.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0, 0.0], [0.0, 0.1, 0.3, 0.19, 0.0])
    assert _active(A, b, w).tolist() == [True, True, False, True, True]


def test_with_every_right_hand_side_zero_the_fallback_allowance_applies():
    # beta = 0 and |b| = 0: allowance TOL.margin.allowance(1.0) = 2e-6 on every row (p^relax on relaxed inputs)
    A, b, w = _system([0.0, 1.0, 1.0, 1.0, 3.0], [0.0] * 5, [0.0, 1e-9, 2.5e-6, 0.5, 1.9e-6])
    assert _active(A, b, w).tolist() == [True, True, False, False, True]


def test_the_selected_token_slot_holds_dual_zero_margin_infinity_and_no_support():
    inst = random_instance(3, 5, 7, seed=4)
    alpha = np.array([4, 0, 2])
    sol = solve_att_svm(inst.X, inst.Z, alpha)
    assert sol.optimal and sol.duals.shape == sol.margins.shape == sol.support.shape == (3, 5)
    sel = (np.arange(3), alpha)
    assert np.all(sol.duals[sel] == 0.0) and np.all(np.isinf(sol.margins[sel])) and not sol.support[sel].any()
    others = np.ones((3, 5), dtype=bool)
    others[sel] = False
    assert np.all(np.isfinite(sol.margins[others])) and sol.support[others].any()
