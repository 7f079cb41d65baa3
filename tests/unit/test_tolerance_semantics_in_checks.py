"""The tolerance policies as the checks use them, pinned where the mutation harness found that loosening a policy
went unnoticed (tests/mutation/REPORT.md: TOL.rank atol and TOL.reference_one_decimal rtol)."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks.record import Comparison
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.rank import relative_rank


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_relative_rank_counts_small_but_real_singular_values_at_every_scale(scale):
    # singular values 1, 0.3, 1e-3 (all real) and 1e-9 (solver residue), times a scale: rank 3 at every scale
    U, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(5, 5)))
    V, _ = np.linalg.qr(np.random.default_rng(7).normal(size=(7, 7)))
    W = scale * (U[:, :4] * np.array([1.0, 0.3, 1e-3, 1e-9])) @ V[:, :4].T
    assert relative_rank(W) == 3


def test_a_value_off_by_one_tenth_fails_a_one_decimal_reference():
    ref = 71.6  # log10 M at (n = 25, R = 4), quoted to one decimal
    assert Comparison(71.64, ref, TOL.reference_one_decimal.allowance(ref)).holds
    assert not Comparison(71.7, ref, TOL.reference_one_decimal.allowance(ref)).holds
    assert not Comparison(ref, 71.5, TOL.reference_one_decimal.allowance(71.5)).holds
