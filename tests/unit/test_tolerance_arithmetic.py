"""The arithmetic of a tolerance policy: allowance at the largest magnitude, elementwise |a - b| <= atol + rtol |b|.

Added for gaps the mutation harness (tests/mutation) found: an allowance taken at the *smallest* magnitude of an
array survived every test, since every caller in the tests passed a scalar or a constant-magnitude array.
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, Tolerance, is_close, max_violation

POLICY = Tolerance("test", rtol=1e-3, atol=1e-6)


def test_allowance_is_atol_plus_rtol_times_the_largest_magnitude():
    assert POLICY.allowance(np.array([1e-3, -10.0, 2.0])) == pytest.approx(1e-6 + 1e-3 * 10.0, rel=1e-15)
    assert POLICY.allowance(-4.0) == pytest.approx(1e-6 + 4e-3, rel=1e-15)
    assert POLICY.allowance(0.0) == 1e-6


def test_closeness_is_elementwise_relative_to_the_expected_value():
    expected = np.array([1000.0, 1.0, 0.0])
    inside = expected + np.array([0.9, 0.9e-3, 0.9e-6])
    outside_small = expected + np.array([0.9, 1.1e-3 + 1e-6, 0.0])  # the 1.0 entry alone is too far
    assert is_close(inside, expected, POLICY)
    assert not is_close(outside_small, expected, POLICY)
    assert max_violation(inside, expected, POLICY) < 0 < max_violation(outside_small, expected, POLICY)


def test_every_named_policy_has_non_negative_rtol_and_atol_and_some_slack():
    for p in TOL.all():
        assert p.rtol >= 0 and p.atol >= 0 and p.rtol + p.atol > 0, p
