"""The interval bounds behind softmax_icl/smoothness-constant-certified enclose ||B||_2 computed in float64."""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import iv

from attnlab.proofs_checks.softmax_icl import certify_smoothness as cs
from attnlab.theory.softmax_icl.softmax_regression import hessian_middle


def _boxes(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        lo = rng.uniform(0, 0.5, n - 1)
        w = rng.uniform(1e-4, 0.2, n - 1)
        yield tuple(iv.mpf([float(a), float(a + b)]) for a, b in zip(lo, w, strict=True)), lo, w, rng


@pytest.mark.parametrize("n", [2, 3])
def test_naive_and_mean_value_bounds_enclose_the_norm_at_feasible_points_of_the_box(n):
    for box, lo, w, rng in _boxes(n, seed=n):
        sets = cs._point_sets(box, n)
        if sets is None:
            continue
        upper = min(cs._float_up(cs.middle_norm_iv(*sets)), cs._float_up(cs._mean_value_upper(box, n, False)[0]))
        for _ in range(20):
            f = lo + rng.uniform(0, 1, n - 1) * w
            if f.sum() > 1:
                continue
            p = np.append(f, 1 - f.sum())
            val = np.linalg.norm(hessian_middle(p, np.eye(n)[0]), 2)
            assert val <= upper * (1 + 1e-12), (box, p, val, upper)


def test_the_n2_certificate_brackets_the_searched_supremum():
    cert = cs.certify_sup_middle_norm(2, 300, gap=1e-6)
    assert cert.lower <= 0.3081171402 <= cert.upper < 0.30812


def test_the_vertex_reduction_matters_b_at_the_centre_gives_a_smaller_value():
    assert cs.certify_sup_middle_norm(2, 300, gap=1e-6, bug=True).upper < 0.3
