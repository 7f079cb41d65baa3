r"""The exact Bayes posterior, recomputed by brute force (derived: ``DERIVATIONS.md#bayes-posterior``).

``bayes-dominates-baselines`` only sees the Bayes predictor through its score, so a posterior that drops the
inputs' likelihood or is not normalised can still beat every baseline. Here
:func:`attnlab.theory.icl_boolean.bayes.bayes_posterior_plus` is compared, at every position, with a direct
evaluation of

.. math::  P(y_i = +1 \mid P_i) = \frac{\sum_h \pi(h)\,\prod_{j<i} p(x_j \mid h)\,1[h(x_j) = y_j]\; p(x_i\mid h)\,1[h(x_i) = +1]}
                                      {\sum_h \pi(h)\,\prod_{j<i} p(x_j \mid h)\,1[h(x_j) = y_j]\; p(x_i\mid h)}

over all :math:`3^n` conjunctions (or the :math:`2^n` monotone ones), with the official laws written out here:
the prior :math:`\pi(h) = \prod_l (p_+ \text{ if } x_l \in h,\ p_- \text{ if } \neg x_l \in h,\ 1 - p_+ - p_- \text{ otherwise})`
and the input law :math:`p(x \mid h) = (1 - q)2^{-n} + q\,2^{-(n-k)}\,1[x \text{ forced by } h]` (forced: satisfies
every literal of a conjunction, falsifies every literal of a disjunction; k literals). Products in plain float64
over one hypothesis at a time; lhs = the largest absolute difference, rhs = 0.
Positive-control family: prompts of these tasks at n = 3, 4, 5 from their own samplers.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import functions as Fn
from attnlab.theory.icl_boolean import sample_task
from attnlab.theory.icl_boolean.bayes import bayes_posterior_plus
from attnlab.theory.icl_boolean.hypotheses import all_conjunctions
from attnlab.theory.icl_boolean.tasks import FORCE_P, LITERAL_P

_TASKS = ("conjunction", "disjunction", "mono_conjunction")


def _brute_force(task: str, xp: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    pos, neg = all_conjunctions(n)
    if task == "mono_conjunction":
        pos, neg = pos[neg == 0], neg[neg == 0]
    p_pos, p_neg = LITERAL_P[task]
    q = FORCE_P[task]
    dual = task == "disjunction"
    label = Fn.disjunction if dual else Fn.conjunction
    B, N = xp.shape
    num, den = np.zeros((B, N)), np.zeros((B, N))
    for hp, hn in zip(pos, neg, strict=True):
        bits_p = [(int(hp) >> c) & 1 for c in range(n)]
        bits_n = [(int(hn) >> c) & 1 for c in range(n)]
        prior = 1.0
        for a, b in zip(bits_p, bits_n, strict=True):
            prior *= p_pos if a else p_neg if b else 1.0 - p_pos - p_neg
        k = sum(bits_p) + sum(bits_n)
        lab = label(xp, hp, hn) > 0  # (B, N)
        forced_value = hn if dual else hp
        forced = (xp & (hp | hn)) == forced_value
        lik = (1 - q) * 2.0**-n + q * 2.0 ** -(n - k) * forced
        weight = np.full(B, prior)
        for i in range(N):
            w_i = weight * lik[:, i]
            den[:, i] += w_i
            num[:, i] += w_i * lab[:, i]
            weight = w_i * (lab[:, i] == (y[:, i] > 0))
    return num / den


def _exact(inst: Prompts, ignore_likelihood: bool = False) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed)
    ours = bayes_posterior_plus(inst.task, d.xp, d.y, inst.n, ignore_input_likelihood=ignore_likelihood)
    err = float(np.max(np.abs(ours - _brute_force(inst.task, d.xp, d.y, inst.n))))
    return Comparison(err, 0.0, TOL.float64_exact.allowance(1.0))


@empirical_claim(
    "icl_boolean/bayes-posterior-exact",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#bayes-posterior",
    statement=r"the package's $P(y_i=+1\mid P_i)$ equals the brute-force ratio of $\sum_h \pi(h)\prod_{j<i}p(x_j\mid h)"
    r"1[h(x_j)=y_j]\,p(x_i\mid h)$ over the hypotheses labelling $x_i$ with +1 to the same sum over all hypotheses",
    strategy=prompts(_TASKS, (3, 4, 5), (7, 9), 6),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("posterior without the inputs' likelihood (label consistency only)",
                             evaluate=lambda inst: _exact(inst, ignore_likelihood=True)),
    positive=prompts(_TASKS, (3, 4), (7,), 6),
    hypotheses=("prompts from the task's own law (prior and forced-point input law)",),
    test="tests/checks/test_icl_boolean_claims.py",
)
def bayes_posterior_exact(inst: Prompts) -> Comparison:
    return _exact(inst)
