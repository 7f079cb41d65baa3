r"""Gaussian elimination over GF(2): the optimal learner for full parities (spec 2.11, D4).

With the 0/1 bits of the inputs, a parity :math:`f_S(x) = \langle s, x\rangle \bmod 2` is a linear
functional. After examples :math:`(x_j, y_j)_{j<i}`, the consistent :math:`s` form an affine subspace; the
query's label is *determined* iff :math:`x_i \in \mathrm{span}_{GF(2)}\{x_j\}_{j<i}` (then it is the XOR of
the labels of any representation), and otherwise exactly half of the consistent parities give each label.
Under the uniform prior over all :math:`2^n` subsets the Bayes-optimal prediction is therefore the
determined label, or a fair coin (score 0).

Closed form (uniform inputs): with :math:`r_i` the GF(2) rank of :math:`x_1..x_i`,
:math:`P(\text{correct at } i) = \tfrac12 + \tfrac12\,\mathbb E[2^{r_{i-1} - n}]` (clean scoring) and
:math:`\mathbb E[2^{r_{i-1}-n}]` (official scoring, a 0 counts wrong), where :math:`r_0 = 0` and
:math:`r \to r + 1` with probability :math:`1 - 2^{r-n}`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.icl_boolean._bits import check_dims

__all__ = ["gauss_elim_predict", "gf2_rank", "in_span", "rank_distribution", "parity_optimal_curve"]

_ONE = np.uint64(1)


def _reduce(x, lab, basis, blab, has, n):
    """Reduce points ``x (B,)`` (with label bits ``lab``) by the echelon basis (pivot = highest bit)."""
    for p in range(n - 1, -1, -1):
        hit = has[:, p] & (((x >> np.uint64(p)) & _ONE) == _ONE)
        x = np.where(hit, x ^ basis[:, p], x)
        lab = np.where(hit, lab ^ blab[:, p], lab)
    return x, lab


def _insert(x, lab, basis, blab, has, n):
    nz = x != 0
    if not nz.any():
        return
    piv = np.zeros(x.shape, dtype=np.int64)
    for p in range(n):  # highest set bit
        piv = np.where(((x >> np.uint64(p)) & _ONE) == _ONE, p, piv)
    b = np.nonzero(nz)[0]
    basis[b, piv[b]] = x[b]
    blab[b, piv[b]] = lab[b]
    has[b, piv[b]] = True


def gauss_elim_predict(xp: np.ndarray, y: np.ndarray, n_dims: int) -> np.ndarray:
    r"""Per-position predictions ``(B, N)`` in {-1, 0, +1}: the determined label, or 0 when :math:`x_i` is
    outside the GF(2) span of the earlier inputs (label bit: :math:`y = +1 \leftrightarrow 1`)."""
    n = check_dims(n_dims)
    B, N = xp.shape
    basis = np.zeros((B, n), dtype=np.uint64)
    blab = np.zeros((B, n), dtype=np.uint64)
    has = np.zeros((B, n), dtype=bool)
    out = np.zeros((B, N), dtype=np.float64)
    ybit = (np.asarray(y) > 0).astype(np.uint64)
    for i in range(N):
        r, lab = _reduce(xp[:, i], np.zeros(B, dtype=np.uint64), basis, blab, has, n)
        out[:, i] = np.where(r == 0, np.where(lab == 1, 1.0, -1.0), 0.0)
        r, lab = _reduce(xp[:, i], ybit[:, i], basis, blab, has, n)
        _insert(r, lab, basis, blab, has, n)
    return out


def gf2_rank(xp: np.ndarray, n_dims: int) -> np.ndarray:
    """GF(2) rank of the rows ``xp (B, N)`` per prompt."""
    B, N = xp.shape
    basis = np.zeros((B, n_dims), dtype=np.uint64)
    has = np.zeros((B, n_dims), dtype=bool)
    z = np.zeros(B, dtype=np.uint64)
    for i in range(N):
        r, _ = _reduce(xp[:, i], z, basis, basis, has, n_dims)
        _insert(r, z, basis, basis.copy(), has, n_dims)
    return has.sum(axis=1)


def in_span(xp: np.ndarray, n_dims: int) -> np.ndarray:
    """``(B, N)`` bool: is :math:`x_i` in the GF(2) span of :math:`x_1..x_{i-1}`? (position 0: only x = 0)."""
    B, N = xp.shape
    basis = np.zeros((B, n_dims), dtype=np.uint64)
    has = np.zeros((B, n_dims), dtype=bool)
    z = np.zeros(B, dtype=np.uint64)
    out = np.zeros((B, N), dtype=bool)
    for i in range(N):
        r, _ = _reduce(xp[:, i], z, basis, basis, has, n_dims)
        out[:, i] = r == 0
        _insert(r, z, basis, basis.copy(), has, n_dims)
    return out


def rank_distribution(n_dims: int, n_points: int) -> list[list[Fraction]]:
    r"""Exact law of :math:`r_i` for :math:`i = 0..N-1` (uniform inputs): ``dist[i][r] = P(r_i = r)``."""
    n = check_dims(n_dims)
    if n_points < 1:
        raise InvalidInputError(f"n_points must be >= 1, got {n_points}")
    dist = [Fraction(1)] + [Fraction(0)] * n
    out = [dist]
    for _ in range(n_points - 1):
        new = [Fraction(0)] * (n + 1)
        for r, p in enumerate(dist):
            if p:
                stay = Fraction(1, 2 ** (n - r))
                new[r] += p * stay
                if r < n:
                    new[r + 1] += p * (1 - stay)
        dist = new
        out.append(dist)
    return out


def parity_optimal_curve(n_dims: int, n_points: int, mode: str = "clean") -> np.ndarray:
    r"""Exact expected accuracy of Gaussian elimination at positions 1..N on ``parity`` prompts.

    ``clean``: :math:`\tfrac12 + \tfrac12 \mathbb E[2^{r-n}]` (an undetermined query is a coin flip);
    ``official``: :math:`\mathbb E[2^{r-n}]` (a 0 prediction counts wrong). Computed in exact rationals.
    """
    if mode not in ("clean", "official"):
        raise InvalidInputError(f"mode must be 'clean' or 'official', got {mode!r}")
    n = check_dims(n_dims)
    vals = []
    for dist in rank_distribution(n, n_points):
        det = sum((p * Fraction(2 ** r, 2 ** n) for r, p in enumerate(dist)), Fraction(0))
        vals.append(det if mode == "official" else Fraction(1, 2) + det / 2)
    return np.array([float(v) for v in vals])
