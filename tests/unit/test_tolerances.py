"""The tolerance module is the one place comparisons get their numbers."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close, is_close


def test_nan_is_never_close():
    assert not is_close(np.array([np.nan]), np.array([np.nan]), TOL.float64_exact)


def test_assert_close_names_the_policy():
    with pytest.raises(AssertionError, match="finite_difference"):
        assert_close([1.0], [1.1], TOL.finite_difference)


def test_policies_are_ordered_from_tight_to_loose():
    assert TOL.float64_exact.rtol < TOL.inequality.rtol < TOL.finite_difference.rtol < TOL.gpu_float32.rtol
