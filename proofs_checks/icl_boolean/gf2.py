r"""Gaussian elimination over GF(2) on full parities (derived: ``DERIVATIONS.md#gf2-determinacy``, ``#parity-rank-chain``).

* ``gf2-determinacy``: enumerating all :math:`2^n` subsets consistent with a prefix, the query's label is
  the same for all of them iff :math:`x_i \in \mathrm{span}_{GF(2)}\{x_j\}_{j<i}` (:func:`in_span`), exactly
  half of them give +1 otherwise, and ``gauss_elim`` predicts the common label (0 otherwise).
  lhs = number of violations, rhs = 0.
* ``parity-rank-chain``: at every position i, the number of prompts on which ``gauss_elim``'s query is
  determined is :math:`\mathrm{Bin}(M, \mathbb E[2^{r_{i-1}-n}])` with the rank Markov chain (exact two-sided
  binomial test, Bonferroni over positions), so the clean accuracy curve is
  :func:`parity_optimal_curve`.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.icl_boolean.stats import binomial_surprise, surprise_comparison
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import parity_optimal_curve, sample_task
from attnlab.theory.icl_boolean._bits import popcount, unpack_bool
from attnlab.theory.icl_boolean.gf2 import gauss_elim_predict, in_span

_TEST = "tests/checks/test_icl_boolean_claims.py"


def _real_rank_in_span(xp, n):
    """Planted bug: span membership decided by the *real* rank of the 0/1 vectors (not GF(2))."""
    X = unpack_bool(xp, n).astype(float)
    B, N = xp.shape
    out = np.zeros((B, N), dtype=bool)
    for b in range(B):
        for i in range(N):
            prev = X[b, :i]
            r0 = np.linalg.matrix_rank(prev) if i else 0
            out[b, i] = np.linalg.matrix_rank(X[b, : i + 1]) == r0
    return out


def _determinacy(inst: Prompts, span=None) -> Comparison:
    span = span or in_span
    d = sample_task("parity", inst.n, inst.points, inst.batch, inst.seed)
    S = np.arange(1 << inst.n, dtype=np.uint64)
    lab = popcount(d.xp[:, :, None] & S[None, None, :]) % 2 == 1  # (B, N, 2^n)
    consistent = np.ones((inst.batch, S.size), dtype=bool)
    ins = span(d.xp, inst.n)
    pred = gauss_elim_predict(d.xp, d.y, inst.n)
    bad = 0
    for i in range(inst.points):
        plus = (lab[:, i] & consistent).sum(axis=1)
        total = consistent.sum(axis=1)
        determined = (plus == 0) | (plus == total)
        common = np.where(plus == total, 1.0, -1.0)
        bad += int((determined != ins[:, i]).sum())
        bad += int((~determined & (2 * plus != total)).sum())
        bad += int((pred[:, i] != np.where(determined, common, 0.0)).sum())
        consistent &= lab[:, i] == (d.y[:, i] > 0)[:, None]
    return Comparison(float(bad), 0.0, TOL.float64_exact.allowance(0.0))


@empirical_claim(
    "icl_boolean/gf2-determinacy",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#gf2-determinacy",
    statement=r"the query's label is determined by the prefix iff $x_i \in \mathrm{span}_{GF(2)}\{x_j\}_{j<i}$; "
    r"otherwise exactly half of the consistent parities give each label",
    strategy=prompts(("parity",), (3, 4, 5, 7), (6, 11), 24),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("span membership by the real rank of the 0/1 vectors instead of the GF(2) rank",
                             evaluate=lambda inst: _determinacy(inst, _real_rank_in_span),
                             strategy=prompts(("parity",), (4, 5), (11,), 24)),
    positive=prompts(("parity",), (3, 5, 7), lambda n: (n + 4,), 24),
    hypotheses=("noise-free parity labels", "uniform prior over all 2^n subsets"),
    test=_TEST,
)
def gf2_determinacy(inst: Prompts) -> Comparison:
    return _determinacy(inst)


def _chain_off_by_one(n, N):
    """Planted bug: the rank chain stays with probability 2^(r - n + 1) (exponent off by one)."""
    dist = np.zeros(n + 1)
    dist[0] = 1.0
    out = []
    for _ in range(N):
        out.append(float(sum(p * 2.0 ** (r - n) for r, p in enumerate(dist))))
        new = np.zeros(n + 1)
        for r, p in enumerate(dist):
            stay = min(1.0, 2.0 ** (r - n + 1))
            new[r] += p * stay
            if r < n:
                new[r + 1] += p * (1 - stay)
        dist = new
    return np.array(out)


def _chain(inst: Prompts, bug: bool = False) -> Comparison:
    d = sample_task("parity", inst.n, inst.points, inst.batch, inst.seed)
    det = (gauss_elim_predict(d.xp, d.y, inst.n) != 0).sum(axis=0)
    p_det = (_chain_off_by_one(inst.n, inst.points) if bug
             else parity_optimal_curve(inst.n, inst.points, mode="official"))
    surprise = max(binomial_surprise(int(k), inst.batch, float(p)) for k, p in zip(det, p_det, strict=True))
    return surprise_comparison(surprise, inst.points)


@empirical_claim(
    "icl_boolean/parity-rank-chain",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#parity-rank-chain",
    statement=r"Gaussian elimination's accuracy at position $i$ is $\tfrac12 + \tfrac12\mathbb E[2^{r_{i-1}-n}]$, "
    r"$r_0 = 0$, $r \to r+1$ w.p. $1 - 2^{r-n}$",
    strategy=prompts(("parity",), (4, 7, 10, 13, 20), lambda n: (n + 9,), 2_000),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.inequality,
    negative=NegativeControl("rank chain with the stay probability 2^(r-n+1)", evaluate=lambda inst: _chain(inst, True)),
    positive=prompts(("parity",), (5, 7, 11), lambda n: (n + 7,), 2_000),
    hypotheses=("uniform inputs", "uniform prior over all 2^n subsets"),
    test=_TEST,
)
def parity_rank_chain(inst: Prompts) -> Comparison:
    return _chain(inst)
