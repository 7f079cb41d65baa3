"""Planted bugs in attnlab.theory.tf_svm (issue 7): for each one, at least one of the structure, feasibility,
landscape and MMTS-toy claims fails at the paper's test budget. The bugs are monkeypatched into the package's
modules, so the claims see them exactly as a wrong implementation would appear."""

from __future__ import annotations

import numpy as np
import pytest
from planting import plant_everywhere

from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim
from attnlab.theory.tf_svm import attention_gd, attention_model, attention_svm

#: the claims of this helper's modules, cheapest first (the test stops at the first failure)
CLAIMS = (
    "tf_svm/loss-above-infimum",
    "tf_svm/wmm-rank-at-most-min-n-d",
    "tf_svm/wmm-row-space-in-query-span",
    "tf_svm/loss-approaches-infimum-along-wmm",
    "tf_svm/norm-optimality-inequalities",
    "tf_svm/mmts-toy-exact-solutions",
    "tf_svm/feasibility-unit-norm-d-ge-n",
    "tf_svm/no-finite-stationary-point",
)


def _scores_without_labels(monkeypatch):
    plant_everywhere(monkeypatch, attention_model.token_scores, lambda X, v, Y: np.asarray(X) @ v)


def _constraint_sign_flipped(monkeypatch):
    orig = attention_svm.key_differences
    monkeypatch.setattr(attention_svm, "key_differences", lambda K, alpha: -orig(K, alpha))


def _w_transposed_in_the_loss(monkeypatch):
    def w_grads(sg, Z):
        def fn(params):
            (W,) = params
            L, U, s, _ = sg(Z @ W)  # bug: q_i = W^T z_i
            return (U.mT @ Z,), (L, s)
        return fn

    monkeypatch.setattr(attention_gd, "_w_grads", w_grads)


def _w_transposed_in_the_svm(monkeypatch):
    def rows(X, Z, alpha):
        X, Z = attention_model.check_instance(X, Z)
        alpha = attention_model.check_alpha(alpha, X.shape[0], X.shape[1])
        return np.einsum("ntd,ne->nted", attention_svm.key_differences(X, alpha), Z)  # bug: z (x_a - x_t)^T

    monkeypatch.setattr(attention_svm, "att_svm_rows", rows)


BUGS = {
    "scores-without-labels": _scores_without_labels,
    "att-svm-constraint-sign-flipped": _constraint_sign_flipped,
    "w-transposed-in-the-loss": _w_transposed_in_the_loss,
    "w-transposed-in-the-svm-constraints": _w_transposed_in_the_svm,
}


def _first_failure(budget: Budget) -> str | None:
    for cid in CLAIMS:
        if get_claim(cid).run(budget).status is Status.FAILED:
            return cid
    return None


def test_the_claims_hold_without_a_planted_bug_until_the_first_cheap_one():
    rec = get_claim(CLAIMS[0]).run(Budget(all_papers()["tf_svm"].test_budget, 0))
    assert rec.status is Status.EMPIRICAL_HOLDS, rec.to_dict()


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_planted_bug_in_theory_tf_svm_fails_at_least_one_claim(bug, monkeypatch):
    get_claim(CLAIMS[0])  # discovery imports every claim module before patching
    BUGS[bug](monkeypatch)
    caught = _first_failure(Budget(all_papers()["tf_svm"].test_budget, 0))
    assert caught is not None, f"planted bug {bug!r} passed every claim of {CLAIMS}"
