"""Edges of ``relative_rank`` the mutation harness found untested: empty, zero and single-row matrices, and
small scales (the count is relative to the largest singular value, never to 1)."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory.tf_svm.rank import relative_rank


def test_an_empty_matrix_has_rank_zero():
    assert relative_rank(np.zeros((0, 5))) == 0


def test_the_zero_matrix_has_rank_zero():
    assert relative_rank(np.zeros((3, 5))) == 0


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_a_single_row_has_rank_one_at_every_scale(scale):
    assert relative_rank(scale * np.arange(1.0, 8.0)[None, :]) == 1


@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_a_residue_below_the_relative_threshold_does_not_count(scale):
    # singular values 1 and 1e-9 (solver residue), times a scale, in a 5 x 7 matrix: rank 1
    U, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(5, 5)))
    V, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(7, 7)))
    W = scale * (U[:, :2] * np.array([1.0, 1e-9])) @ V[:, :2].T
    assert relative_rank(W) == 1


def test_a_singular_value_exactly_at_the_threshold_does_not_count():
    # the documented count is strict: sigma_k > 1e-6 sigma_1; diag(1, 1e-6, 1e-6 + 1 ulp) has exact singular values
    above = np.nextafter(1e-6, 1.0)
    assert relative_rank(np.diag([1.0, 1e-6, 0.0])) == 1
    assert relative_rank(np.diag([1.0, 1e-6, above])) == 2
