"""Bugs planted in theory/tf_svm (issue 7) must make a *convergence* claim fail at the paper's test budget, and so make
``attnlab check`` exit nonzero: token scores computed without the labels Y, and the Att-SVM constraint sign flipped
(which once made global-convergence-equal-scores not-applicable everywhere, and the check exit 0)."""

from __future__ import annotations

import numpy as np
import pytest
from planting import plant_everywhere

from attnlab.experiments.cli import main
from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim
from attnlab.theory.tf_svm import attention_model, attention_svm

#: the cheap convergence claims (seconds each at the test budget)
CLAIMS = ("tf_svm/global-convergence-equal-scores", "tf_svm/convergence-limit-locally-optimal")


def _scores_without_labels(X, v, Y):
    return _ORIG_SCORES(X, v, np.ones(np.shape(Y)))


def _flipped_rows(X, Z, alpha):
    return -_ORIG_ROWS(X, Z, alpha)


_ORIG_SCORES = attention_model.token_scores
_ORIG_ROWS = attention_svm.att_svm_rows
BUGS = {"scores-without-labels": (_ORIG_SCORES, _scores_without_labels),
        "att-svm-constraint-sign-flipped": (_ORIG_ROWS, _flipped_rows)}


def _budget() -> Budget:
    return Budget(instances=all_papers()["tf_svm"].test_budget, seed=0)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_planted_theory_bug_fails_a_convergence_claim(monkeypatch, bug):
    get_claim(CLAIMS[0])  # load every claim module before planting, so their imported names are patched too
    plant_everywhere(monkeypatch, *BUGS[bug])
    statuses = {cid: get_claim(cid).run(_budget()).status for cid in CLAIMS}
    assert Status.FAILED in statuses.values(), statuses


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_planted_theory_bug_makes_attnlab_check_exit_nonzero(monkeypatch, tmp_path, bug):
    get_claim(CLAIMS[0])
    plant_everywhere(monkeypatch, *BUGS[bug])
    rc = main(["check", "tf_svm/global-convergence-equal-scores", "--budget", str(_budget().instances), "--seed", "0",
               "--out", str(tmp_path / "out")])
    assert rc != 0


def test_without_a_planted_bug_the_convergence_claims_hold():
    for cid in CLAIMS:
        rec = get_claim(cid).run(_budget())
        assert rec.status is Status.EMPIRICAL_HOLDS, rec.to_dict()
