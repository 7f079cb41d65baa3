"""Input validation shared by theory/ functions: clear errors instead of silent NaNs."""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = ["as_float_array"]


def as_float_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, raising :class:`InvalidInputError` on NaN/inf or wrong rank."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be a real array, got {type(value).__name__}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise InvalidInputError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"{name} contains NaN or inf; all entries must be finite")
    return arr
