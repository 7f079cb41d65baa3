r"""The Boolean function classes of Bhattamishra et al. (ICLR 2024) as label rules on packed points.

Each rule maps packed points ``xp`` (uint64, broadcastable against the parameters) to labels in
:math:`\{-1, +1\}` (int8), exactly as the official code computes them (spec 2.8, [src: bool_tasks.py]):

* conjunction :math:`w \in \{0, \pm 1\}^n`, :math:`k = \|w\|_1`: :math:`\mathrm{sign}(\langle w, x\rangle - (k-1))`,
  i.e. +1 iff every literal holds (the empty conjunction is constant +1). Packed: ``pos`` has the bits of
  positive literals, ``neg`` of negated ones; +1 iff ``x & (pos|neg) == pos``.
* disjunction: :math:`\mathrm{sign}(\langle w, x\rangle + k - 1)`: -1 iff every literal fails
  (``x & (pos|neg) == neg``); the empty disjunction is constant -1.
* 3-term DNF / 3-clause CNF: OR of three conjunctions / AND of three disjunctions (``pos``, ``neg`` of shape (..., 3)).
* sparse majority (official ``majority``): :math:`\mathrm{sign}(\sum_{j \in S} x_j - \tfrac12)`; ties and empty S give -1.
* full majority (official ``full_majority``, LLM file): :math:`w \in \{\pm1\}^n`, :math:`\mathrm{sign}(\langle w,x\rangle - \tfrac12)`.
* 0-1 threshold (official ``sparse_thres``): :math:`\mathrm{sign}(\langle w, x\rangle - b)`, :math:`b \in \{-2.5, \dots, 2.5\}`.
* integer halfspace: :math:`w \in \{-3..3\}^n`, :math:`\mathrm{sign}(\langle w, x\rangle - \tfrac12)`.
* parity over S: +1 iff an odd number of the coordinates in S are +1 (XOR of the 0/1 bits).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.icl_boolean._bits import popcount, unpack_pm1

__all__ = ["conjunction", "disjunction", "dnf", "cnf", "sparse_majority", "full_majority", "threshold",
           "int_halfspace", "parity", "pm1"]


def pm1(flag: np.ndarray) -> np.ndarray:
    """True -> +1, False -> -1 (int8)."""
    return np.where(flag, np.int8(1), np.int8(-1))


def _conj_true(xp, pos, neg):
    return (xp & (pos | neg)) == pos


def _disj_false(xp, pos, neg):
    return (xp & (pos | neg)) == neg


def conjunction(xp, pos, neg):
    return pm1(_conj_true(xp, pos, neg))


def disjunction(xp, pos, neg):
    return pm1(~_disj_false(xp, pos, neg))


def dnf(xp, pos, neg):
    """``pos``, ``neg`` of shape (B, T) for T terms; ``xp`` (B, N)."""
    sat = _conj_true(xp[..., None], pos[:, None, :], neg[:, None, :])
    return pm1(sat.any(axis=-1))


def cnf(xp, pos, neg):
    false = _disj_false(xp[..., None], pos[:, None, :], neg[:, None, :])
    return pm1(~false.any(axis=-1))


def sparse_majority(xp, S):
    return pm1(2 * popcount(xp & S) > popcount(S))


def full_majority(xp, wbits, n_dims: int):
    agree = n_dims - popcount(xp ^ wbits)
    return pm1(2 * agree - n_dims >= 1)


def threshold(xp, pos, neg, b):
    m = pos | neg
    dot = popcount(m) - 2 * popcount((xp ^ pos) & m)
    return pm1(dot > b)


def int_halfspace(xp, w, n_dims: int):
    """``w`` (B, n) integers; ``xp`` (B, N). The dot product needs the unpacked points."""
    X = unpack_pm1(xp, n_dims).astype(np.float32)
    dot = np.einsum("bij,bj->bi", X, w.astype(np.float32))
    return pm1(dot - 0.5 > 0)


def parity(xp, S):
    return pm1(popcount(xp & S) % 2 == 1)
