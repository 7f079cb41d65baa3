r"""Scoring a prediction :math:`\hat y_i \in \mathbb R` against :math:`y_i \in \{\pm 1\}`, in two modes.

* ``clean`` (default): score :math:`1[\hat y y > 0] + \tfrac12 1[\hat y = 0]`: a 0 is an honest "either
  label", scored as a fair coin (its expected accuracy); the null baseline predicts 0.
* ``official`` ([src: bool_tasks.py ``accuracy``, baselines.py ``NullClassifier``]): score
  :math:`1[\mathrm{sign}(\hat y) = y]`, so a 0 counts wrong (k-NN ties, position 1), and the null baseline
  predicts -1 (it then scores :math:`P(y = -1)`, not the majority rate; spec pitfalls 2-3).

Every reported number says which mode it uses. Bands: per-position bootstrap over prompts, the official
5th/95th percentiles of 1000 resamples (eval.py) by default.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError

__all__ = ["MODES", "score", "accuracy_curve", "bootstrap_band", "check_mode"]

MODES = ("clean", "official")


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidInputError(f"scoring mode must be one of {MODES}, got {mode!r}")
    return mode


def score(pred: np.ndarray, y: np.ndarray, mode: str = "clean") -> np.ndarray:
    """Per-(prompt, position) scores in {0, 1/2, 1} (clean) or {0, 1} (official)."""
    check_mode(mode)
    pred = np.asarray(pred, dtype=np.float64)
    y = np.asarray(y)
    if pred.shape != y.shape:
        raise InvalidInputError(f"predictions {pred.shape} and labels {y.shape} must have the same shape")
    right = (np.sign(pred) == y).astype(np.float64)
    if mode == "clean":
        right += 0.5 * (pred == 0)
    return right


def accuracy_curve(pred, y, mode: str = "clean") -> np.ndarray:
    """Mean score per position, ``(N,)``."""
    return score(pred, y, mode).mean(axis=0)


def bootstrap_band(scores: np.ndarray, seed: int = 0, resamples: int = 1000, level: float = 0.90):
    """Per-position (low, high) percentile band of the mean over prompts (official eval.py: 90%, 1000)."""
    scores = np.asarray(scores, dtype=np.float64)
    rng = np.random.default_rng(seed)
    B = scores.shape[0]
    idx = rng.integers(0, B, size=(resamples, B))
    means = scores[idx].mean(axis=1)  # (resamples, N)
    a = (1 - level) / 2
    return np.quantile(means, a, axis=0), np.quantile(means, 1 - a, axis=0)
