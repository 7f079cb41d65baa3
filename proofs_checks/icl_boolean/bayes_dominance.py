r"""Exact Bayes-optimal prediction dominates every baseline, position by position (derived: ``DERIVATIONS.md#bayes-dominance``).

For prompts drawn from the task's own law, the Bayes predictor (:mod:`attnlab.theory.icl_boolean.bayes`)
maximises the expected clean score at every position, so for every baseline b and position i
:math:`\mathbb E[s_\text{bayes} - s_b] \ge 0`. Monte Carlo over M independent prompts: the paired per-prompt
differences give a one-sided z test per (baseline, position), Bonferroni over all of them; lhs is the largest
surprise :math:`-\log_{10} p` of a *negative* mean difference.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.icl_boolean.stats import min_pvalue_of_means, surprise_comparison
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import predict_packed, sample_task, score
from attnlab.theory.icl_boolean.baselines import ELIMINATION_FORM

#: task -> dimensions small enough to enumerate quickly
_DIMS = {"conjunction": (3, 5, 6), "disjunction": (3, 5, 6), "mono_conjunction": (5, 7),
         "conjunction_teach": (3, 5), "mono_conjunction_teach": (5, 7), "sparse_disjunction": (5, 7),
         "sparse_majority": (5, 7), "majority": (5, 7), "threshold": (3, 4), "int_halfspace": (3,),
         "sparse_parity": (5, 7, 11), "parity": (5, 7), "nearest_neighbour": (5, 7)}
_OTHERS = ("null", "majority", "averaging", "knn1", "knn3")


def _baselines(task):
    extra = ("elimination",) if task in ELIMINATION_FORM else ()
    return _OTHERS + extra + (("gauss_elim",) if task in ("parity", "sparse_parity") else ())


def _dominance(inst: Prompts, shift_labels: bool = False) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed, start_idx=5)
    opts = {"start_idx": 5} if inst.task == "nearest_neighbour" else {}
    y_bayes = np.roll(d.y, 1, axis=1) if shift_labels else d.y  # planted bug: labels paired with the wrong inputs
    s_bayes = score(predict_packed("bayes", d.xp, y_bayes, inst.n, inst.task, **opts), d.y)
    diffs = [s_bayes - score(predict_packed(b, d.xp, d.y, inst.n, inst.task), d.y) for b in _baselines(inst.task)]
    diff = np.concatenate(diffs, axis=1)  # (M, baselines x positions)
    surprise, _ = min_pvalue_of_means(diff, one_sided=True)
    return surprise_comparison(surprise, diff.shape[1])


@empirical_claim(
    "icl_boolean/bayes-dominates-baselines",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#bayes-dominance",
    statement=r"$\mathbb E[s_\mathrm{bayes}(i)] \ge \mathbb E[s_b(i)]$ for every baseline b (null, majority, "
    r"averaging, 1-NN, 3-NN, elimination, Gaussian elimination) and position i (clean scoring)",
    strategy=prompts(tuple(_DIMS), lambda t: _DIMS[t], (13, 17), 400),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.inequality,
    negative=NegativeControl("Bayes fed labels shifted by one position (y_{i-1} paired with x_i)",
                             evaluate=lambda inst: _dominance(inst, shift_labels=True),
                             strategy=prompts(("conjunction", "sparse_parity"), (5,), (17,), 400)),
    positive=prompts(("conjunction", "disjunction", "sparse_parity", "parity", "nearest_neighbour"), (5,), (11,), 400),
    hypotheses=("prompts from the task's own law (prior and input sampler)", "clean scoring"),
    test="tests/checks/test_icl_boolean_claims.py",
)
def bayes_dominates_baselines(inst: Prompts) -> Comparison:
    return _dominance(inst)
