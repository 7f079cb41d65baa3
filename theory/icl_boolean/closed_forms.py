r"""Exact label balances :math:`P(y = +1)` of a single point under each task's law ([derived], spec D7).

* conjunction, mono_conjunction: :math:`q + (1-q)\,\mathbb E[2^{-k}] = 0.3 + 0.7 \cdot 0.85^n`
  (each coordinate is a literal w.p. 0.3 and a uniform input satisfies it w.p. 1/2);
* disjunction: :math:`P(y=-1)` equals the conjunction's :math:`P(y=+1)` (duality);
* sparse_disjunction: :math:`P(y=-1) = 0.3 + 0.7/16`;
* dnf3: :math:`0.35 + 0.65\,(3 \cdot 0.9^n - 3 \cdot 0.81^n + 0.729^n)` by inclusion-exclusion over the terms
  (per coordinate: one term holds w.p. 0.9, two terms w.p. 0.81, three w.p. 0.729 in expectation);
* cnf3: :math:`P(y=-1) = 0.3 + 0.7\,(3 \cdot 0.9^n - 3 \cdot 0.81^n + 0.729^n)`;
* sparse_majority: :math:`\sum_s \mathrm{Bin}(s; n, 0.3)\, P(\mathrm{Bin}(s, \tfrac12) > s/2)`;
* majority: :math:`P(\mathrm{Bin}(n, \tfrac12) > n/2)`;
* threshold: :math:`\sum_k \mathrm{Bin}(k; n, 0.3) \sum_d \mathrm{Bin}(d; k, \tfrac12)\, \tfrac16 \#\{b : k - 2d > b\}`;
* int_halfspace: :math:`P(\sum_j u_j \ge 1)`, :math:`u_j` i.i.d. uniform on {-3..3} (:math:`w_j x_j` is);
* parity, sparse_parity: 1/2 (parity: the empty subset, probability :math:`2^{-n}`, is constant -1, so
  :math:`\tfrac12 - 2^{-n-1}`); nearest_neighbour: 1/2 by symmetry.
"""

from __future__ import annotations

from math import comb

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.icl_boolean.tasks import THRESHOLDS

__all__ = ["p_plus", "CLOSED_FORM_TASKS"]

CLOSED_FORM_TASKS = ("conjunction", "mono_conjunction", "disjunction", "sparse_disjunction", "dnf3", "cnf3",
                     "sparse_majority", "majority", "threshold", "int_halfspace", "parity", "sparse_parity",
                     "nearest_neighbour")


def _binom(n, p):
    return np.array([comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])


def _any_term(n):
    return 3 * 0.9**n - 3 * 0.81**n + 0.729**n


def p_plus(task: str, n: int) -> float:
    """:math:`P(y = +1)` at a non-teaching position of ``task`` at dimension ``n``."""
    if task in ("conjunction", "mono_conjunction"):
        return 0.3 + 0.7 * 0.85**n
    if task == "disjunction":
        return 1 - (0.3 + 0.7 * 0.85**n)
    if task == "sparse_disjunction":
        return 1 - (0.3 + 0.7 / 16)
    if task == "dnf3":
        return 0.35 + 0.65 * _any_term(n)
    if task == "cnf3":
        return 1 - (0.3 + 0.7 * _any_term(n))
    if task == "sparse_majority":
        return float(sum(ps * sum(comb(s, c) / 2**s for c in range(s + 1) if 2 * c > s)
                         for s, ps in enumerate(_binom(n, 0.3))))
    if task == "majority":
        return sum(comb(n, c) for c in range(n + 1) if 2 * c > n) / 2**n
    if task == "threshold":
        total = 0.0
        for k, pk in enumerate(_binom(n, 0.3)):
            for d, pd in enumerate(_binom(k, 0.5)):
                total += pk * pd * np.mean(k - 2 * d > THRESHOLDS)
        return float(total)
    if task == "int_halfspace":
        dist = np.array([1.0])
        for _ in range(n):
            dist = np.convolve(dist, np.full(7, 1 / 7))  # support -3n..3n
        return float(dist[3 * n + 1:].sum())
    if task == "parity":
        return 0.5 - 2.0 ** (-n - 1)
    if task in ("sparse_parity", "nearest_neighbour"):
        return 0.5
    raise InvalidInputError(f"no closed-form label balance for {task!r}; valid: {CLOSED_FORM_TASKS}")
