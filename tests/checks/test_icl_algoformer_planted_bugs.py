"""Every realistic bug planted in theory/icl_boolean or theory/algoformer makes at least one of its paper's claims
fail at the paper's ``test_budget`` (issue 7: checks that bite). The bugs are listed in ``icl_algoformer_bugs.py``. Four
of them escaped every claim at first (CG without beta, the averaging baseline without labels, Chebyshev without
its recurrence, the Bayes posterior without the input likelihood); each led to a claim that compares the package
with an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from icl_algoformer_bugs import BUGS, PlantedBug, planted

from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import all_claims


def _failing_claims(bug: PlantedBug) -> list[str]:
    """Claims of the bug's paper that fail with the bug planted (stops at the first, to stay fast)."""
    budget = Budget(instances=all_papers()[bug.paper].test_budget, seed=0)
    claims = sorted((c for c in all_claims() if c.paper == bug.paper), key=lambda c: c.name != bug.first)
    with planted(bug), np.errstate(all="ignore"):  # a planted bug may overflow: that is its failure
        for claim in claims:
            if claim.run(budget).status is Status.FAILED:
                return [claim.id]
    return []


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.name)
def test_a_planted_bug_fails_at_least_one_claim_of_its_paper(bug):
    assert _failing_claims(bug), f"no {bug.paper} claim caught: {bug.name}"


def test_planting_a_bug_restores_the_original_afterwards():
    from attnlab.theory.algoformer import gd_step

    orig = gd_step.gd_loop_predictions
    with planted(BUGS[0]):
        assert gd_step.gd_loop_predictions is not orig
    assert gd_step.gd_loop_predictions is orig
