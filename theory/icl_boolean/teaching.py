r"""Teaching sequences of the official code (spec 2.12, [src: bool_tasks.py]), vectorised over prompts.

* monotone conjunction (official ``teach_conjunction``), :math:`k + 1` rows: the positive example with
  :math:`+1` exactly on the literals, then for each literal (ascending coordinate) that example with the
  literal turned to :math:`-1`.
* general conjunction (official ``teach_biconjunction``), :math:`k + 2` rows: two positives with every
  literal satisfied and all other coordinates :math:`-1` (first) or :math:`+1` (second); then one negative per
  literal (positive literals ascending, then negated ones ascending), other coordinates :math:`-1`.
* monotone 3-term DNF (official ``teach_dnf``): the three monotone sequences concatenated.

The rows overwrite the first points of the prompt (shuffling is commented out in the official code).
Where a sequence is longer than the prompt the official code fails on a shape mismatch; we keep its first
``n_points`` rows (documented choice).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.icl_boolean._bits import bit_ranks, full_mask, popcount

__all__ = ["mono_rows", "general_rows", "dnf_rows", "overwrite_prefix"]

_ONE = np.uint64(1)


def mono_rows(pos: np.ndarray, n_dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``(B, n+1)`` (packed) and lengths ``k + 1`` of the monotone teaching sequence of ``pos``."""
    B = pos.shape[0]
    rows = np.zeros((B, n_dims + 1), dtype=np.uint64)
    rows[:, 0] = pos
    b, j, r = bit_ranks(pos, n_dims)
    rows[b, 1 + r] = pos[b] & ~(_ONE << j.astype(np.uint64))
    return rows, popcount(pos) + 1


def general_rows(pos: np.ndarray, neg: np.ndarray, n_dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``(B, n+2)`` and lengths ``k + 2`` of the general-conjunction teaching sequence."""
    B = pos.shape[0]
    m = pos | neg
    rows = np.zeros((B, n_dims + 2), dtype=np.uint64)
    rows[:, 0] = pos
    rows[:, 1] = pos | (full_mask(n_dims) & ~m)
    b, j, r = bit_ranks(pos, n_dims)
    rows[b, 2 + r] = pos[b] & ~(_ONE << j.astype(np.uint64))
    kpos = popcount(pos)
    b, j, r = bit_ranks(neg, n_dims)
    rows[b, 2 + kpos[b] + r] = pos[b] | (_ONE << j.astype(np.uint64))
    return rows, popcount(m) + 2


def dnf_rows(pos: np.ndarray, n_dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated monotone sequences of the terms ``pos (B, T)``: rows ``(B, T(n+1))`` and lengths."""
    B, T = pos.shape
    rows = np.zeros((B, T * (n_dims + 1)), dtype=np.uint64)
    offset = np.zeros(B, dtype=np.int64)
    ar = np.arange(n_dims + 1)
    for t in range(T):
        r_t, L_t = mono_rows(pos[:, t], n_dims)
        valid = ar[None, :] < L_t[:, None]
        bb, rr = np.nonzero(valid)
        rows[bb, offset[bb] + rr] = r_t[bb, rr]
        offset = offset + L_t
    return rows, offset


def overwrite_prefix(xp: np.ndarray, rows: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return ``xp (B, N)`` with rows ``r < min(L_b, N)`` replaced by the teaching rows."""
    N = xp.shape[1]
    w = min(rows.shape[1], N)
    keep = np.arange(w)[None, :] < lengths[:, None]
    out = xp.copy()
    out[:, :w] = np.where(keep, rows[:, :w], xp[:, :w])
    return out
