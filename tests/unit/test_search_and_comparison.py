"""The per-instance verdict (``Comparison``) and the search that drives every empirical claim
(``search_instances``), tested directly on toy claims whose answers are known: the claims reach both only through
whole-paper runs, where a planted bug (a flipped slack, a miscounted instance, reasons counted while shrinking)
can hide behind the size of the run."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import pytest

from attnlab.proofs_checks.record import Budget, Comparison, Status
from attnlab.proofs_checks.search import search_instances

# ---------------------------------------------------------------- Comparison


def test_a_comparison_holds_within_its_allowance_and_fails_beyond_it():
    assert Comparison(3.0, 5.0, 0.0).holds and Comparison(5.0, 5.0, 0.0).holds
    assert Comparison(5.5, 5.0, 0.5).holds and not Comparison(5.7, 5.0, 0.5).holds
    assert Comparison(3.0, 5.0, 0.0).slack == 2.0 and Comparison(7.0, 5.0, 1.0).slack == -2.0


def test_a_non_finite_left_side_fails_except_minus_infinity():
    assert not Comparison(math.nan, 5.0, 1.0).holds and not Comparison(math.inf, 5.0, 1.0).holds
    assert Comparison(-math.inf, 5.0, 0.0).holds


def test_tightness_is_lhs_over_rhs_for_a_bound_and_error_over_allowance_for_an_identity():
    assert Comparison(3.0, 5.0, 0.0).tightness == pytest.approx(0.6, rel=1e-15)
    assert Comparison(3.0, 5.0, 1.0).tightness == pytest.approx(0.5, rel=1e-15)
    assert Comparison(0.25, 0.0, 0.5).tightness == pytest.approx(0.5, rel=1e-15)
    assert Comparison(7.0, 5.0, 0.0).tightness > 1.0 > Comparison(5.0, 5.0, 0.0).tightness - 1e-15
    assert Comparison(-3.0, -5.0, 0.0).tightness == pytest.approx(1.4, rel=1e-15)  # violated: > 1


def test_tightness_with_nothing_to_scale_by_is_zero_when_it_holds_and_infinite_when_it_does_not():
    assert Comparison(0.0, 0.0, 0.0).tightness == 0.0 and Comparison(-1.0, 0.0, 0.0).tightness == 0.0
    assert Comparison(1e-300, 0.0, 0.0).tightness == math.inf


# ---------------------------------------------------------------- search_instances


def _bound(limit):
    """Toy claim x <= limit."""
    return lambda x: Comparison(float(x), float(limit), 0.0)


def test_a_claim_that_holds_everywhere_is_empirical_with_the_tightest_instance_as_worst():
    seen = []

    def evaluate(x):
        seen.append(x)
        return _bound(100)(x)

    out = search_instances(st.integers(0, 100), lambda x: [], evaluate, Budget(37, seed=5))
    assert out.status == Status.EMPIRICAL_HOLDS and out.shrink_calls == 0
    assert out.tried == out.applicable == len(seen) >= 30 and not out.reasons
    assert out.worst_instance == max(seen) and out.worst == _bound(100)(max(seen))
    assert out.max_tightness == pytest.approx(max(seen) / 100, rel=1e-15)


def test_a_violation_fails_with_the_shrunk_counterexample_and_its_comparison():
    calls = []

    def hypotheses(x):
        calls.append(x)
        return []

    out = search_instances(st.integers(0, 10_000), hypotheses, _bound(999), Budget(300, seed=3))
    assert out.status == Status.FAILED
    assert len(calls) == out.tried + out.shrink_calls  # every call is counted once, as a draw or a shrink step
    assert out.worst_instance == 1000 and out.worst == _bound(999)(1000)  # shrunk to the smallest violation
    assert out.shrink_calls > 0 and out.max_tightness >= out.worst.tightness > 1.0


def test_unmet_hypotheses_are_counted_with_their_reasons_and_never_evaluated():
    evaluated = []

    def hypotheses(x):
        return [] if x % 2 == 0 else ["x is odd"]

    def evaluate(x):
        evaluated.append(x)
        return _bound(10**6)(x)

    out = search_instances(st.integers(0, 1000), hypotheses, evaluate, Budget(60, seed=1))
    assert out.status == Status.EMPIRICAL_HOLDS and all(x % 2 == 0 for x in evaluated)
    assert out.applicable == len(evaluated) and out.reasons["x is odd"] == out.tried - out.applicable > 0


def test_a_search_with_no_applicable_instance_is_inconclusive_not_a_pass():
    out = search_instances(st.integers(0, 9), lambda x: ["never applies"], _bound(-1), Budget(20, seed=0))
    assert out.status == Status.INCONCLUSIVE and out.applicable == 0 and out.worst is None
    assert out.reasons["never applies"] == out.tried > 0


def test_reasons_seen_while_shrinking_a_failure_are_not_counted():
    def hypotheses(x):
        return [] if x >= 500 else ["small"]

    out = search_instances(st.integers(0, 10_000), hypotheses, _bound(600), Budget(200, seed=2))
    assert out.status == Status.FAILED and out.worst_instance == 601
    assert out.reasons["small"] <= out.tried - out.applicable


def test_an_evaluation_cap_skips_later_draws_without_trying_them():
    calls = []

    def evaluate(x):
        calls.append(x)
        return _bound(10**6)(x)

    out = search_instances(st.integers(0, 1000), lambda x: [], evaluate, Budget(40, seed=4), max_evaluations=7)
    assert out.status == Status.EMPIRICAL_HOLDS
    assert len(calls) == out.applicable == out.tried == 7 and out.capped > 0


def test_the_same_seed_gives_the_same_search():
    a = search_instances(st.integers(0, 10**9), lambda x: [], _bound(10**9), Budget(25, seed=11))
    b = search_instances(st.integers(0, 10**9), lambda x: [], _bound(10**9), Budget(25, seed=11))
    assert (a.tried, a.worst_instance, a.max_tightness) == (b.tried, b.worst_instance, b.max_tightness)


def test_different_seeds_draw_different_instances():
    draws = {}
    for seed in (11, 12):
        seen = []
        search_instances(st.integers(0, 10**9), lambda x, seen=seen: seen.append(x) or [], _bound(10**9),
                         Budget(25, seed=seed))
        draws[seed] = seen
    assert draws[11] != draws[12]
