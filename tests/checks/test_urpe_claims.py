"""Every urpe claim: holds at a small budget, its negative control fails, records reproduce; one
invariance test per position family (spec C3), with the families outside the theorem far above tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks import registry
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.urpe.invariance import row_spread
from attnlab.theory.urpe import FAMILIES, SOFTMAX_RPE_FAMILIES, random_model

CLAIMS = registry.select_claims(["urpe"])
IDS = [c.id for c in CLAIMS]
SMALL = Budget(instances=30, seed=0)


def test_the_issue_required_claims_are_registered():
    required = {
        "constant-sequence-invariance", "shaw-key-side-invariance", "causal-mask-does-not-rescue-rpe",
        "urpe-at-init-is-rpe", "rpe-sup-error-lower-bound", "attentive-witness", "position-aware-witness",
        "row-stochastic-induction-symbolic", "urpe-row-sums-symbolic", "fft-toeplitz-equals-naive",
        "kernelized-fft-equals-naive", "rpe-recovers-position-on-generic-inputs",
    }
    assert {f"urpe/{r}" for r in required} <= set(IDS)


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_claim_holds_at_a_small_budget(claim):
    rec = claim.run(SMALL)
    assert rec.status is not Status.FAILED, rec
    assert rec.instances_tried > 0 and rec.instances_applicable > 0


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_negative_control_fails(claim):
    rec = claim.run_negative_control(SMALL)
    assert rec.status is Status.FAILED, rec


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.kind != "symbolic"], ids=lambda c: c.id)
def test_records_are_reproducible_for_the_same_seed(claim):
    a, b = claim.run(Budget(10, 3)), claim.run(Budget(10, 3))
    assert (a.status, a.lhs, a.rhs, a.worst_instance) == (b.status, b.lhs, b.rhs, b.worst_instance)


def test_the_lower_bound_is_attained_by_the_best_constant_rows():
    rec = registry.get_claim("urpe/rpe-sup-error-lower-bound").run(SMALL)
    assert rec.details["max_tightness"] > 1 - 1e-6  # lhs = rhs up to the TOL.inequality allowance


def _spreads(family):
    rng = np.random.default_rng(7)
    out = []
    for causal in (False, True):
        model = random_model(family, 6, 14, 4, causal, seed=11, n_max=64, ln="post", bias_scale=30.0)
        out.append(row_spread(model(np.tile(rng.standard_normal(14), (37, 1)))))
    return out


@pytest.mark.parametrize("family", SOFTMAX_RPE_FAMILIES)
def test_six_layer_four_head_softmax_rpe_models_keep_constant_sequences_constant(family):
    assert all(c.holds for c in _spreads(family))


@pytest.mark.parametrize("family", sorted(set(FAMILIES) - set(SOFTMAX_RPE_FAMILIES)))
def test_ape_shaw_value_side_and_random_c_urpe_break_constant_sequences_far_above_tolerance(family):
    assert all(c.lhs > 1e6 * c.allowance for c in _spreads(family))
