"""Every algoformer claim runs at a small budget without failing, and every negative control fails."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks.algoformer.instances import CopyInstance, Regression
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim, select_claims

CLAIMS = select_claims(["algoformer"])


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_algoformer_claim_does_not_fail(c):
    rec = c.run(Budget(instances=8, seed=0))
    assert rec.status is not Status.FAILED, rec.to_dict()
    assert rec.status is not Status.NOT_APPLICABLE, rec.to_dict()  # the positive-control family meets the hypotheses


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_algoformer_negative_control_fails(c):
    rec = c.run_negative_control(Budget(instances=8, seed=0))
    assert rec.status is Status.FAILED, rec.to_dict()


def test_spec_check_t1_gd_loop_at_d5_n12_eta03_over_50_loops(rng):
    X = rng.normal(size=(12, 5))
    r = Regression(X, X @ rng.normal(size=5), rng.normal(size=5), 0.3 * np.linalg.eigvalsh(X.T @ X / 12)[-1] / 2, 50)
    assert get_claim("algoformer/gd-loop-equals-gd").check_instance(r).status is Status.EMPIRICAL_HOLDS


def test_step_above_threshold_is_not_applicable_to_the_convergence_claim(rng):
    X = rng.normal(size=(7, 3))
    r = Regression(X, X @ rng.normal(size=3), rng.normal(size=3), 1.05, 10)
    rec = get_claim("algoformer/gd-loop-converges-below-threshold").check_instance(r)
    assert rec.status is Status.NOT_APPLICABLE and "outside (0, 1)" in rec.reasons[0]


def test_softmax_copy_error_at_beta_40_sits_at_the_float64_floor(rng):
    rec = get_claim("algoformer/softmax-copy-error").check_instance(CopyInstance(rng.normal(size=61), 40.0))
    assert rec.status is Status.EMPIRICAL_HOLDS
