r"""The official prompt encoding (spec 2.2, [src: models.py ``_combine``]).

Tokens :math:`x_1, y_1, \dots, x_N, y_N` (2N tokens of width n): an x-token is the raw :math:`\pm1` vector,
a y-token is :math:`(y, 0, \dots, 0)`. The model's output at x-token :math:`2i` predicts :math:`y_{i+1}`
from :math:`(x_1, y_1, \dots, x_i)`, so one causal forward pass gives all N predictions.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = ["encode_prompt", "prediction_positions"]


def encode_prompt(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``X (B, N, n)``, ``y (B, N)`` -> tokens ``(B, 2N, n)`` float64 (x at even, y-tokens at odd indices)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise InvalidInputError(f"X must be (B, N, n) and y (B, N); got {X.shape} and {y.shape}")
    B, N, n = X.shape
    tok = np.zeros((B, 2 * N, n))
    tok[:, 0::2] = X
    tok[:, 1::2, 0] = y
    return tok


def prediction_positions(n_points: int) -> np.ndarray:
    """Token indices whose outputs are the predictions: ``0, 2, ..., 2N-2``."""
    return np.arange(0, 2 * n_points, 2)
