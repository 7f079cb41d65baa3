"""A search that tests nothing is inconclusive, and a positive-control family catches a broken hypothesis check."""

from __future__ import annotations

from hypothesis import strategies as st

from attnlab.proofs_checks.record import Budget, Comparison, Status
from attnlab.proofs_checks.registry import _run_positive_control, positive_control_budget
from attnlab.proofs_checks.search import search_instances

FLOATS = st.floats(0.0, 1.0)


def _bounded(x: float) -> Comparison:
    return Comparison(x, 1.0, 0.0)


def _no_hypotheses(x: float) -> list[str]:
    return []


def _flipped_hypothesis_check(x: float) -> list[str]:
    return ["x outside [0, 1]"]  # a planted bug: every instance is judged not applicable


def test_a_search_with_no_applicable_instance_is_inconclusive_not_a_pass():
    out = search_instances(FLOATS, _flipped_hypothesis_check, _bounded, Budget(instances=7, seed=0))
    assert out.status is Status.INCONCLUSIVE and out.applicable == 0 and out.reasons


def test_positive_control_flags_instances_built_to_apply_that_were_judged_not_applicable():
    ctl = _run_positive_control(FLOATS, _flipped_hypothesis_check, _bounded, Budget(instances=8, seed=0))
    assert ctl.failure is not None and "judged not applicable" in ctl.failure


def test_positive_control_flags_a_violation_on_its_own_family():
    ctl = _run_positive_control(FLOATS, _no_hypotheses, lambda x: Comparison(x + 2.0, 1.0, 0.0), Budget(8, 0))
    assert ctl.failure is not None and "violates the claim" in ctl.failure


def test_positive_control_passes_a_sound_claim_and_reports_its_counts():
    ctl = _run_positive_control(FLOATS, _no_hypotheses, _bounded, Budget(instances=12, seed=0))
    assert ctl.failure is None
    assert ctl.summary["applicable"] == ctl.summary["instances"] == positive_control_budget(Budget(12, 0)).instances
