r"""The package's baselines follow their rules (derived: ``DERIVATIONS.md#baseline-rules``).

Every claim that compares learners (``bayes-dominates-baselines``, the reference curves) trusts that the
baselines compute what they say; a baseline broken so that it is *worse* (labels dropped from averaging, a
k-NN that ignores its k-th neighbour) violates no dominance statement. So each vectorised baseline of
:func:`attnlab.theory.icl_boolean.predict_packed` is compared, position by position, with a plain per-example
loop over the :math:`\pm1` points written from the definitions (spec 2.10, clean scoring):

* ``null``: 0; ``majority``: :math:`\mathrm{sign}\sum_{j<i} y_j` (0 on a tie and at i = 0);
* ``averaging``: :math:`\frac1i\sum_{j<i} y_j\langle x_j, x_i\rangle` (0 at i = 0);
* ``knn1``, ``knn3``: the mean label of the :math:`\min(i, k)` earlier points nearest in Hamming distance, ties
  to the earliest index (0 at i = 0).

lhs = the largest absolute difference, rhs = 0 (``float64_exact`` at the scale n of the scores).
Positive-control family: prompts of several tasks and sizes (the rules need nothing of the labels' law).
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import predict_packed, sample_task

_RULES = ("null", "majority", "averaging", "knn1", "knn3")
_TASKS = ("conjunction", "parity", "sparse_majority", "nearest_neighbour")


def _reference(rule: str, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One prompt, ``X (N, n)`` in :math:`\\pm1`, ``y (N,)``: the rule's prediction at every position, by loops."""
    N = X.shape[0]
    out = np.zeros(N)
    for i in range(1, N):
        prev = [(int(np.sum(X[j] != X[i])), j) for j in range(i)]  # (Hamming distance, index)
        if rule == "majority":
            out[i] = np.sign(sum(int(y[j]) for j in range(i)))
        elif rule == "averaging":
            out[i] = sum(float(y[j]) * float(X[j] @ X[i]) for j in range(i)) / i
        elif rule in ("knn1", "knn3"):
            near = sorted(prev)[: int(rule[-1])]
            out[i] = sum(float(y[j]) for _, j in near) / len(near)
    return out


def _rules(inst: Prompts, drop_averaging_labels: bool = False) -> Comparison:
    d = sample_task(inst.task, inst.n, inst.points, inst.batch, inst.seed)
    X, y = d.X, d.y
    worst = 0.0
    for rule in _RULES:
        labels = np.ones_like(d.y) if (drop_averaging_labels and rule == "averaging") else d.y  # planted bug
        ours = predict_packed(rule, d.xp, labels, inst.n, inst.task)
        for b in range(inst.batch):
            worst = max(worst, float(np.max(np.abs(ours[b] - _reference(rule, X[b], y[b])))))
    return Comparison(worst, 0.0, TOL.float64_exact.allowance(float(inst.n)))


@empirical_claim(
    "icl_boolean/baselines-follow-their-rules",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#baseline-rules",
    statement=r"null, majority, averaging $\frac1i\sum_{j<i}y_j\langle x_j,x_i\rangle$, 1-NN and 3-NN (Hamming, ties to "
    r"the earliest) as computed by the package equal a per-example loop of their definitions at every position",
    strategy=prompts(_TASKS, (3, 5, 7), (11, 13), 16),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("averaging baseline without the labels (w_hat = mean of the x_j)",
                             evaluate=lambda inst: _rules(inst, drop_averaging_labels=True)),
    positive=prompts(_TASKS, (5, 7), (17,), 16),
    hypotheses=("clean scoring (position 0 and ties predict 0)",),
    test="tests/checks/test_icl_boolean_claims.py",
)
def baselines_follow_their_rules(inst: Prompts) -> Comparison:
    return _rules(inst)
