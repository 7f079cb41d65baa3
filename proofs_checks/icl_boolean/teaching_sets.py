r"""Teaching sequences are teaching sets (derived: ``DERIVATIONS.md#teaching-sets-identify``).

For every target at dimension n (brute force over the class):

* the general sequence (:math:`k + 2` rows) leaves exactly one of the :math:`3^n` conjunctions consistent;
* the monotone sequence (:math:`k + 1` rows) leaves exactly one of the :math:`2^n` monotone conjunctions;
* but among *all* :math:`3^n` conjunctions the monotone sequence identifies only the target with every
  coordinate a literal (:math:`k = n`): exactly 1 of the :math:`2^n` monotone targets (pitfall 10).

lhs = number of targets that break one of the three statements, rhs = 0 (exact counts).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import functions as Fn
from attnlab.theory.icl_boolean import teaching as T
from attnlab.theory.icl_boolean.hypotheses import all_conjunctions


def _consistent_counts(rows, L, tpos, tneg, hpos, hneg):
    """For each target b: how many hypotheses agree with the target's labels on its L_b rows."""
    B = rows.shape[0]
    counts = np.empty(B, dtype=np.int64)
    for b in range(B):
        r = rows[b, : L[b]][:, None]
        target = Fn.conjunction(r, tpos[b], tneg[b])
        counts[b] = (Fn.conjunction(r, hpos[None], hneg[None]) == target).all(axis=0).sum()
    return counts


def _no_second_positive(pos, neg, n):
    """Planted bug: the general sequence without its second positive row (k + 1 rows)."""
    rows, L = T.general_rows(pos, neg, n)
    return np.delete(rows, 1, axis=1), L - 1


def _identify(n: int, general_rows=None) -> Comparison:
    general_rows = general_rows or T.general_rows
    pos, neg = all_conjunctions(n)
    mono = neg == 0
    rows, L = general_rows(pos, neg, n)
    bad = int((_consistent_counts(rows, L, pos, neg, pos, neg) != 1).sum())
    mrows, mL = T.mono_rows(pos[mono], n)
    bad += int((_consistent_counts(mrows, mL, pos[mono], neg[mono], pos[mono], neg[mono]) != 1).sum())
    unique_all = int((_consistent_counts(mrows, mL, pos[mono], neg[mono], pos, neg) == 1).sum())
    bad += abs(unique_all - 1)
    return Comparison(float(bad), 0.0, TOL.float64_exact.allowance(0.0))


@empirical_claim(
    "icl_boolean/teaching-sets-identify",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#teaching-sets-identify",
    statement=r"the $k+2$ sequence identifies every conjunction among all $3^n$; the $k+1$ monotone sequence "
    r"identifies every monotone conjunction among the $2^n$ monotone ones, and among all $3^n$ only the target with $k=n$",
    strategy=st.sampled_from((2, 3, 4, 5, 6)),
    check_hypotheses=lambda n: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("general sequence without its second positive row",
                             evaluate=lambda n: _identify(n, _no_second_positive)),
    positive=st.sampled_from((3, 4, 5)),
    hypotheses=("noise-free labels", "teaching rows as coded, unshuffled"),
    test="tests/checks/test_icl_boolean_claims.py",
)
def teaching_sets_identify(n: int) -> Comparison:
    return _identify(n)
