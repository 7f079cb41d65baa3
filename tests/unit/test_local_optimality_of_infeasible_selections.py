"""A selection whose max-margin SVM is infeasible is neither locally optimal nor a violation: its verdict is the
SVM's own status, with no violating tokens (``attention_svm.locally_optimal`` and ``locally_optimal_prompt``); and a
prompt selection is validated against the number of tokens, not the value dimension."""

from __future__ import annotations

import numpy as np

from attnlab.theory.tf_svm.attention_svm import locally_optimal, locally_optimal_prompt
from attnlab.theory.tf_svm.examples import duplicate_token_instance


def test_an_infeasible_selection_reports_the_svm_status_and_no_violations():
    inst = duplicate_token_instance(3, 5, 7)  # token 1 of input 0 repeats token 0
    verdict = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, (0, 2, 4))
    assert verdict.status == "infeasible" and not verdict.is_locally_optimal
    assert verdict.alpha == (0, 2, 4) and verdict.violations == () and verdict.svm.status == "infeasible"


def test_an_infeasible_prompt_selection_reports_the_svm_status_and_no_violations():
    inst = duplicate_token_instance(3, 5, 7)
    keys = inst.X @ np.random.default_rng(0).normal(size=(7, 11))  # duplicate tokens give duplicate keys
    verdict = locally_optimal_prompt(keys, inst.X, inst.v, inst.Y, (0, 1, 3))
    assert verdict.status == "infeasible" and verdict.alpha == (0, 1, 3) and verdict.violations == ()


def test_a_prompt_selection_is_checked_against_the_number_of_tokens_not_the_value_dimension():
    rng = np.random.default_rng(2)
    X, keys = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 5, 7))  # d = 2 < T = 5
    verdict = locally_optimal_prompt(keys, X, np.array([0.6, 0.8]), np.array([1.0, -1.0, 1.0]), (4, 3, 4))
    assert verdict.alpha == (4, 3, 4) and verdict.svm.optimal
