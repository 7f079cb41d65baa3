"""An evaluation cap is a record field, not a reason; a report-kind claim is shown apart from verified theorems."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from attnlab.experiments.checking import format_table
from attnlab.proofs_checks.record import Budget, Comparison, Kind, Status
from attnlab.proofs_checks.registry import REGISTRY, NegativeControl, empirical_claim
from attnlab.proofs_checks.search import search_instances
from attnlab.theory._tolerances import TOL

FLOATS = st.floats(0.0, 1.0)


def _bounded(x: float) -> Comparison:
    return Comparison(x, 1.0, 0.0)


def _no_hypotheses(x: float) -> list[str]:
    return []


def test_a_search_with_a_cap_evaluates_at_most_that_many_and_counts_the_rest_as_capped():
    evaluated = []

    def ev(x):
        evaluated.append(x)
        return _bounded(x)

    out = search_instances(FLOATS, _no_hypotheses, ev, Budget(instances=20, seed=0), max_evaluations=3)
    assert out.applicable == out.tried == 3 == len(evaluated)
    assert out.capped >= 1 and out.status is Status.EMPIRICAL_HOLDS


def test_a_cap_never_stops_a_failure_from_being_found_within_it():
    out = search_instances(FLOATS, _no_hypotheses, lambda x: Comparison(x + 2.0, 1.0, 0.0), Budget(20, 0),
                           max_evaluations=3)
    assert out.status is Status.FAILED


@pytest.fixture
def registered():
    ids = []

    def register(claim_id, **kw):
        ids.append(claim_id)
        empirical_claim(claim_id, locator="derived: test", statement="x <= 1", strategy=FLOATS,
                        check_hypotheses=_no_hypotheses, tolerance=TOL.inequality,
                        negative=NegativeControl("x + 2", evaluate=lambda x: Comparison(x + 2.0, 1.0, 0.0)), **kw)(_bounded)
        return REGISTRY[claim_id]

    yield register
    for i in ids:
        REGISTRY.pop(i, None)


def test_the_record_carries_the_evaluation_cap_and_the_skipped_draws(registered):
    rec = registered("softmax_icl/zz-capped-test-claim", evaluation_cap=4).run(Budget(instances=15, seed=0))
    assert rec.evaluation_cap == 4 and rec.instances_capped == 15 - rec.instances_tried > 0
    assert not any("cap" in r for r in rec.reasons)
    assert f"(cap 4, {rec.instances_capped} skipped)" in format_table([rec])


def test_a_report_claim_records_its_kind_and_still_fails_when_its_bound_is_violated(registered):
    c = registered("softmax_icl/zz-report-test-claim", kind=Kind.REPORT)
    rec = c.run(Budget(instances=6, seed=0))
    assert rec.kind == "report" and rec.status is Status.EMPIRICAL_HOLDS and rec.evaluation_cap is None
    assert c.run_negative_control(Budget(instances=6, seed=0)).status is Status.FAILED
