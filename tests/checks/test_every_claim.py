"""Every registered claim, of every paper: it holds at a small budget on at least one applicable instance,
and its negative control (a planted bug) fails. A new claim is tested here without a new test file."""

from __future__ import annotations

import pytest

from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Budget, Kind, Status
from attnlab.proofs_checks.registry import Claim, all_claims

CLAIMS = all_claims()


def _budget(claim: Claim) -> Budget:
    return Budget(instances=all_papers()[claim.paper].test_budget, seed=0)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_holds_on_at_least_one_applicable_instance(claim):
    rec = claim.run(_budget(claim))
    assert rec.status is not Status.FAILED, rec.to_dict()
    assert rec.instances_tried > 0
    if claim.kind is not Kind.SYMBOLIC:
        assert rec.instances_applicable > 0, f"no applicable instance: {rec.reasons}"


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_negative_control_fails(claim):
    rec = claim.run_negative_control(_budget(claim))
    assert rec.status is Status.FAILED, rec.to_dict()
