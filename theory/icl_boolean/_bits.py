r"""Packed Boolean points: one ``uint64`` per point, bit ``j`` set iff coordinate ``j`` is :math:`+1`.

Every sampler and learner of :mod:`attnlab.theory.icl_boolean` works on packed points, so that a literal
test, a Hamming distance or a GF(2) inner product is one integer operation per point (and ``popcount``);
the :math:`\pm 1` arrays of the public API are produced once at the end by :func:`unpack_pm1`.

Map to the paper's notation: the paper writes :math:`x \in \{0,1\}^n`; the official code uses
:math:`\pm 1` with bit 1 :math:`\to +1`, bit 0 :math:`\to -1` (spec 2.1). Our bit ``j`` is the paper's
:math:`x_j \in \{0, 1\}`.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = ["MAX_DIMS", "full_mask", "random_points", "pack_bool", "pack_pm1", "unpack_pm1", "unpack_bool",
           "popcount", "bit_ranks", "check_dims"]

MAX_DIMS = 63  # n_dims <= 63 keeps 1 << n inside uint64 (the paper uses n <= 28)

# byte -> its 8 bits as +-1 (little-endian bit order): one gather unpacks a point
_PM1_TABLE = (np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
              .astype(np.int8) * 2 - 1)


def check_dims(n_dims: int) -> int:
    """Return ``n_dims`` as int or raise :class:`InvalidInputError` unless ``1 <= n_dims <= 63``."""
    if isinstance(n_dims, bool) or not isinstance(n_dims, (int, np.integer)) or not 1 <= int(n_dims) <= MAX_DIMS:
        raise InvalidInputError(f"n_dims must be an integer in [1, {MAX_DIMS}], got {n_dims!r}")
    return int(n_dims)


def full_mask(n_dims: int) -> np.uint64:
    """All ``n_dims`` low bits set."""
    return np.uint64((1 << n_dims) - 1)


def random_points(rng: np.random.Generator, n_dims: int, shape) -> np.ndarray:
    """Uniform points of :math:`\\{0,1\\}^n` (each bit a fair coin), packed, of the given shape."""
    return rng.integers(0, 1 << n_dims, size=shape, dtype=np.uint64)


def pack_bool(bits: np.ndarray) -> np.ndarray:
    """Pack a boolean array ``(..., n)`` into ``uint64`` ``(...)`` (coordinate j -> bit j)."""
    bits = np.asarray(bits, dtype=bool)
    n = bits.shape[-1]
    if n > MAX_DIMS:
        raise InvalidInputError(f"at most {MAX_DIMS} coordinates can be packed, got {n}")
    by = np.packbits(bits, axis=-1, bitorder="little")
    pad = np.zeros(by.shape[:-1] + (8,), dtype=np.uint8)
    pad[..., : by.shape[-1]] = by
    return pad.view("<u8")[..., 0].astype(np.uint64)


def pack_pm1(X: np.ndarray) -> np.ndarray:
    """Pack a :math:`\\pm 1` array ``(..., n)``; raise unless every entry is -1 or +1."""
    X = np.asarray(X)
    if X.size and not np.all((X == 1) | (X == -1)):
        raise InvalidInputError("inputs must be +-1 arrays (the official encoding, spec 2.1)")
    return pack_bool(X > 0)


def unpack_pm1(xp: np.ndarray, n_dims: int) -> np.ndarray:
    """``uint64 (...)`` -> ``int8 (..., n)`` with entries :math:`\\pm 1` (one table gather per byte)."""
    nbytes = (n_dims + 7) // 8
    by = np.ascontiguousarray(xp, dtype="<u8").view(np.uint8).reshape(*np.shape(xp), 8)[..., :nbytes]
    return _PM1_TABLE[by].reshape(*np.shape(xp), nbytes * 8)[..., :n_dims]


def unpack_bool(xp: np.ndarray, n_dims: int) -> np.ndarray:
    """``uint64 (...)`` -> ``bool (..., n)``."""
    return unpack_pm1(xp, n_dims) > 0


def popcount(x: np.ndarray) -> np.ndarray:
    """Number of set bits, elementwise, as int64."""
    return np.bitwise_count(np.asarray(x, dtype=np.uint64)).astype(np.int64)


def bit_ranks(mask: np.ndarray, n_dims: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every set bit of ``mask (B,)``: (prompt index, coordinate, rank among the set bits, ascending).

    The teaching sequences of the official code visit literals in ascending coordinate order
    (spec 2.12); the rank says which teaching row a literal owns.
    """
    bits = unpack_bool(mask, n_dims)
    ranks = np.cumsum(bits, axis=1) - 1
    b, j = np.nonzero(bits)
    return b, j, ranks[b, j]
