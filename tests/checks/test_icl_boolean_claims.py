"""Every icl_boolean claim runs at a small budget without failing, and every negative control fails."""

from __future__ import annotations

import pytest

from attnlab.proofs_checks.icl_boolean.instances import Prompts
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim, select_claims

CLAIMS = select_claims(["icl_boolean"])


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_icl_boolean_claim_does_not_fail(c):
    rec = c.run(Budget(instances=4, seed=0))
    assert rec.status is not Status.FAILED, rec.to_dict()


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_icl_boolean_negative_control_fails(c):
    rec = c.run_negative_control(Budget(instances=2, seed=0))
    assert rec.status is Status.FAILED, rec.to_dict()


def test_label_balance_of_a_28_dim_conjunction_matches_the_closed_form():
    rec = get_claim("icl_boolean/label-balance").check_instance(Prompts("conjunction", 28, 3, 20_000, 1))
    assert rec.status is Status.EMPIRICAL_HOLDS, rec.to_dict()


def test_elimination_can_err_on_a_singleton_version_space_before_any_positive_example():
    from attnlab.proofs_checks.icl_boolean.elimination import singleton_counterexample

    _, y, size, pred = singleton_counterexample()
    assert size[0, 3] == 1 and y[0, 3] == 1 and pred[0, 3] == -1
    assert not (y[0, :3] > 0).any()
