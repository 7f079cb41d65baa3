"""Planted bugs in attnlab.theory.softmax_icl are caught by several softmax_icl claims at the paper's test budget.

Each bug is monkeypatched into the theory module (the claims look the functions up at call time), and every claim
listed for it must come out ``failed``: the claims compare the package's code with independent computations
(proofs_checks/softmax_icl/reference.py), so a wrong implementation fails them even where a bound would still hold
(softmax(-Ax) is as Lipschitz as softmax(Ax)). Before these comparisons, softmax(-Ax) was caught by 1 claim of 21.
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim
from attnlab.theory.softmax_icl import attention_update as att
from attnlab.theory.softmax_icl import softmax_regression as sr

_F, _MIDDLE, _SCORES = sr.f, sr.hessian_middle, att.attention_scores


def _f_negated(A, x):
    return _F(-np.asarray(A), x)


def _jacobian_without_diag(p):
    return -np.outer(p, p)


def _g(p, b):
    return (2 * np.asarray(p) - np.asarray(b)) * np.asarray(p)


def _middle_without_diag(p, b):
    return _MIDDLE(p, b) - np.diag(_g(p, b))


def _middle_lost_transpose(p, b):  # -g f^T - f g^T written as -2 g f^T
    return _MIDDLE(p, b) + np.outer(p, _g(p, b)) - np.outer(_g(p, b), p)


def _grad_sign_flipped(A, x, b):
    p = _F(A, x)
    c = p - b
    return np.asarray(A).T @ (p * c + (p @ c) * p)


def _scores_transposed(A, WQ, WK):
    return _SCORES(A, WQ, WK).T


BUGS = {
    "f = softmax(-Ax)": (sr, "f", _f_negated,
                         ["lipschitz-x-tight", "closeness-gd-vs-attention", "softmax-jacobian-formula"]),
    "J_u without diag(f)": (sr, "softmax_jacobian", _jacobian_without_diag,
                            ["softmax-jacobian-formula", "softmax-jacobian-norm", "gd-target-shift-simplex"]),
    "B without diag(g)": (sr, "hessian_middle", _middle_without_diag,
                          ["hessian-formula", "smoothness-constant", "regularized-hessian-pd"]),
    "B with f g^T transposed": (sr, "hessian_middle", _middle_lost_transpose,
                                ["hessian-dls23-form", "smoothness-constant", "regularized-hessian-pd"]),
    "gradient's <f, c> f sign flipped": (sr, "grad", _grad_sign_flipped,
                                         ["gradient-formula", "gd-displacement", "closeness-gd-vs-attention"]),
    "attention scores transposed": (att, "attention_scores", _scores_transposed,
                                    ["closeness-gd-vs-attention", "closeness-paper-M", "attention-data-shift"]),
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_a_planted_bug_in_theory_fails_several_claims(bug, monkeypatch):
    module, name, buggy, claims = BUGS[bug]
    monkeypatch.setattr(module, name, buggy)
    budget = Budget(instances=all_papers()["softmax_icl"].test_budget, seed=0)
    statuses = {c: get_claim(f"softmax_icl/{c}").run(budget).status for c in claims}
    assert all(s is Status.FAILED for s in statuses.values()), statuses
