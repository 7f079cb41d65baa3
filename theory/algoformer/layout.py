r"""Named token slots, so that a construction reads as "copy slot y into slot r" instead of index algebra.

A :class:`Layout` orders named slots of fixed widths inside :math:`\mathbb{R}^D`. ``move(dst, src, M)`` is the
:math:`D \times D` matrix that reads slot ``src``, multiplies by ``M`` (identity by default) and writes into
slot ``dst``; ``rows(src)`` the :math:`|src| \times D` matrix reading a slot and ``cols(dst)`` the
:math:`D \times |dst|` matrix writing one. Attention and MLP weights are sums of these.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = ["Layout", "shift"]


class Layout:
    def __init__(self, **widths: int):
        self.slots: dict[str, slice] = {}
        start = 0
        for name, w in widths.items():
            if w < 1:
                raise InvalidInputError(f"slot {name!r} must have width >= 1, got {w}")
            self.slots[name] = slice(start, start + w)
            start += w
        self.D = start

    def __getitem__(self, name: str) -> slice:
        return self.slots[name]

    def width(self, name: str) -> int:
        s = self.slots[name]
        return s.stop - s.start

    def move(self, dst: str, src: str, M=None) -> np.ndarray:
        out = np.zeros((self.D, self.D))
        block = np.eye(self.width(dst), self.width(src)) if M is None else np.asarray(M, dtype=float)
        out[self.slots[dst], self.slots[src]] = block
        return out

    def rows(self, src: str) -> np.ndarray:
        out = np.zeros((self.width(src), self.D))
        out[:, self.slots[src]] = np.eye(self.width(src))
        return out

    def cols(self, dst: str) -> np.ndarray:
        return self.rows(dst).T

    def tokens(self, N: int, batch: tuple[int, ...] = (), **values) -> np.ndarray:
        """Zero tokens ``(*batch, N, D)`` with the named slots filled (each value broadcast to ``(*batch, N, w)``)."""
        H = np.zeros((*batch, N, self.D))
        for name, v in values.items():
            H[..., self.slots[name]] = v
        return H


def shift(N: int, k: int) -> np.ndarray:
    r"""The positional shift :math:`S_k e_j = e_{j+k}` (zero when :math:`j + k` leaves :math:`[0, N)`)."""
    return np.eye(N, k=-k)
