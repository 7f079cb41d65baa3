"""``residual_outcome``, the one verdict for a symbolic identity: proved only on an exact zero, failed with the
rational point on a non-zero value, empirical when the points agree but the simplifier does not reduce to 0.

Pinned directly (the claims reach it only through whole-paper runs): the mutation harness planted flipped
verdicts, a wrong number of points and a shrunk sampling range here."""

from __future__ import annotations

import pytest
import sympy as sp

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.symbolic_residuals import residual_outcome

x, y = sp.symbols("x y")


def test_an_identity_that_cancels_is_proved_symbolic_and_keeps_the_claim_details():
    r = (x + y) ** 3 - (x**3 + 3 * x**2 * y + 3 * x * y**2 + y**3)
    out = residual_outcome([r, (x**2 - 1) / (x - 1) - (x + 1)], Budget(200, seed=3), {"n": 5})
    assert out.status == Status.PROVED_SYMBOLIC
    assert (out.lhs, out.rhs) == (0.0, 0.0)
    assert out.details["n"] == 5 and out.details["rational_points"] == 4
    assert out.instances_tried == out.instances_applicable == 4


def test_a_non_zero_residual_fails_with_its_entry_the_point_and_the_value():
    zero = (x + 1) ** 2 - (x**2 + 2 * x + 1)
    out = residual_outcome([zero, x * y - y * x + 1 / (x**2 + 3)], Budget(200, seed=3), {"n": 5})
    assert out.status == Status.FAILED
    assert out.details["entry"] == 1 and out.details["n"] == 5
    point = {s: sp.Rational(v) for s, v in ((x, out.worst_instance["x"]),)}
    value = 1 / (point[x] ** 2 + 3)
    assert out.details["residual"] == str(value)
    assert out.lhs == pytest.approx(float(value), rel=1e-15) and out.lhs > 0 and out.rhs == 0.0


def test_a_negative_residual_fails_with_its_magnitude():
    out = residual_outcome([-(x**2) - 1], Budget(200, seed=1), {})
    assert out.status == Status.FAILED and out.lhs >= 1.0


def test_zero_at_every_point_without_a_simplified_zero_is_empirical_never_proved():
    r = sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1  # zero, but the default cancel() leaves it as is
    out = residual_outcome([r], Budget(200, seed=0), {"n": 3})
    assert out.status == Status.EMPIRICAL_HOLDS
    assert "not a proof" in out.details["note"] and out.details["n"] == 3
    assert (out.lhs, out.rhs) == (0.0, 0.0) and out.instances_tried == out.instances_applicable == 4
    assert residual_outcome([r], Budget(200, seed=0), {}, simplifier=sp.simplify).status == Status.PROVED_SYMBOLIC
    # one residual the simplifier cannot reduce is enough to withhold the proof
    assert residual_outcome([x - x + (x + 1) ** 2 - x**2 - 2 * x - 1, r], Budget(200, seed=0), {}).status == \
        Status.EMPIRICAL_HOLDS


@pytest.mark.parametrize(("instances", "points"), [(1, 2), (149, 2), (150, 3), (400, 8), (10_000, 8)])
def test_the_number_of_rational_points_follows_the_budget(instances, points):
    out = residual_outcome([x - x], Budget(instances, seed=0), {})
    assert out.instances_tried == points


def test_points_cover_negative_values_so_a_residual_zero_only_for_positive_arguments_fails():
    # zero at every x > 0 (|x| - x), non-zero at every x < 0; sympy keeps Abs for a plain symbol
    out = residual_outcome([sp.Abs(x) - x], Budget(400, seed=0), {})
    assert out.status == Status.FAILED and sp.Rational(out.worst_instance["x"]) < 0


def test_the_points_range_over_the_given_numerators_and_denominators():
    # zero exactly at x in {-1, 0, 1} (numerators 1, denominators 1): only points outside that set fail it
    r = x * (x - 1) * (x + 1)
    assert residual_outcome([r], Budget(400, seed=0), {}, numerators=1, denominators=1).status != Status.FAILED
    assert residual_outcome([r], Budget(400, seed=0), {}).status == Status.FAILED


def test_an_empty_list_of_residuals_is_proved_trivially():
    assert residual_outcome([], Budget(200, seed=0), {}).status == Status.PROVED_SYMBOLIC
