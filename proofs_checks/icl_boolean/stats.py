r"""Exact Monte Carlo tests on a "surprise" scale, so that a claim compares ``lhs <= rhs`` like any bound.

``lhs`` is :math:`-\log_{10} p` of the observed deviation (two-sided exact binomial, or a normal z for
means of bounded per-prompt scores), ``rhs`` is :math:`-\log_{10} \alpha` with :math:`\alpha` =
:data:`ALPHA` divided by the number of simultaneous comparisons (Bonferroni). Prompts are independent, so
counting one event per prompt is exactly binomial; labels *within* a prompt share a function and are never
pooled as if independent.
"""

from __future__ import annotations

import math

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL

sps = lazy_module("scipy.stats")

__all__ = ["ALPHA", "binomial_surprise", "z_surprise", "surprise_comparison", "min_pvalue_of_means"]

ALPHA = 1e-5  # per claim instance; at budget 50 and ~10 claims a sound run fails by chance w.p. ~ 5e-3


def binomial_surprise(k: int, m: int, p: float) -> float:
    """:math:`-\\log_{10}` of the two-sided exact binomial p-value of k successes in m trials at rate p."""
    pv = sps.binomtest(int(k), int(m), float(min(max(p, 0.0), 1.0))).pvalue
    return -math.log10(max(pv, 1e-300))


def z_surprise(z: float, one_sided: bool = False) -> float:
    """:math:`-\\log_{10}` of the normal p-value of a z statistic (two-sided, or one-sided in z's direction)."""
    s = -sps.norm.logsf(abs(z)) / math.log(10)
    return s if one_sided else s - math.log10(2)


def min_pvalue_of_means(diff: np.ndarray, one_sided: bool) -> tuple[float, int]:
    """Paired per-prompt differences ``(M, K)``: the largest surprise over columns and its column.

    One-sided: only a negative mean is surprising (H0: mean >= 0). Columns with zero variance and zero
    mean carry no evidence; a zero-variance column with a negative mean is infinitely surprising."""
    M = diff.shape[0]
    mean = diff.mean(axis=0)
    se = diff.std(axis=0, ddof=1) / math.sqrt(M)
    best, col = 0.0, -1
    for j in range(diff.shape[1]):
        if se[j] == 0:
            s = math.inf if (mean[j] < 0 or (not one_sided and mean[j] != 0)) else 0.0
        else:
            z = mean[j] / se[j]
            s = 0.0 if (one_sided and z >= 0) else z_surprise(z, one_sided)
        if s > best:
            best, col = s, j
    return best, col


def surprise_comparison(surprise: float, n_tests: int) -> Comparison:
    r"""``lhs`` = surprise, ``rhs`` = :math:`-\log_{10}(\alpha / n_\text{tests})`."""
    rhs = -math.log10(ALPHA / max(n_tests, 1))
    return Comparison(float(surprise), rhs, TOL.inequality.allowance(rhs))
