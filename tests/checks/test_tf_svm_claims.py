"""Every tf_svm claim runs at a small budget without failing, and every negative control fails."""

from __future__ import annotations

import pytest

from proofs_checks.record import Budget, Status
from proofs_checks.registry import select_claims

CLAIMS = select_claims(["tf_svm"])
FAST = Budget(instances=3, seed=0)


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_tf_svm_claim_does_not_fail(c):
    rec = c.run(FAST)
    assert rec.status is not Status.FAILED, rec.to_dict()


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_tf_svm_negative_control_fails(c):
    rec = c.run_negative_control(Budget(instances=2, seed=0))
    assert rec.status is Status.FAILED, rec.to_dict()
