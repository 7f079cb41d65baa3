r"""Instance types for the softmax-regression claims: frozen dataclasses holding everything a check needs.

Notation (paper arXiv 2304.13276, Def. 1.3): :math:`A \in \mathbb{R}^{n\times d}` a document of n tokens,
:math:`x, y \in \mathbb{R}^d`, :math:`b \in \mathbb{R}^n`, :math:`R` the radius of the hypotheses
:math:`\|A\|_2 \le R`, :math:`\|x\|_2 \le R`. Arrays are stored as read-only float64; an instance may be
deliberately broken (NaN entries): the claims' ``hypotheses`` report that instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = [
    "SoftmaxInstance",
    "PointPair",
    "DocumentPair",
    "GDInstance",
    "ShiftInstance",
    "LogitInstance",
    "ClosenessInstance",
    "RegularizedInstance",
    "spectral_norm",
]


def _freeze(obj) -> None:
    for fld in fields(obj):
        v = getattr(obj, fld.name)
        if isinstance(v, (list, tuple, np.ndarray)):
            arr = np.array(v, dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(obj, fld.name, arr)
        elif isinstance(v, (int, float, np.floating, np.integer)):
            object.__setattr__(obj, fld.name, float(v))


def spectral_norm(M: np.ndarray) -> float:
    """Largest singular value (``nan`` when ``M`` has non-finite entries)."""
    M = np.asarray(M, dtype=np.float64)
    if M.size == 0:
        return 0.0
    if not np.all(np.isfinite(M)):
        return float("nan")
    return float(np.linalg.norm(M, 2))


@dataclass(frozen=True, eq=False)
class SoftmaxInstance:
    r"""One softmax regression :math:`(A, x, b)` with radius :math:`R`; :math:`A\in\mathbb{R}^{n\times d}`."""

    A: np.ndarray
    x: np.ndarray
    b: np.ndarray
    R: float

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class PointPair:
    r"""Two weight vectors :math:`x, y \in \mathbb{R}^d` for one document :math:`A` (Lipschitz in x)."""

    A: np.ndarray
    x: np.ndarray
    y: np.ndarray
    R: float

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class DocumentPair:
    r"""Two documents :math:`A, B \in \mathbb{R}^{n\times d}` (``A`` = :math:`A_t`, ``B`` = :math:`A_{t+1}`), one x."""

    A: np.ndarray
    B: np.ndarray
    x: np.ndarray
    R: float

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class GDInstance:
    r"""A softmax regression and a step size :math:`\eta > 0` for one gradient step from ``x``."""

    A: np.ndarray
    x: np.ndarray
    b: np.ndarray
    eta: float
    R: float

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class ShiftInstance:
    r"""A document ``A``, weights ``x`` and a vector :math:`v \in \mathbb{R}^d`: shift :math:`A \to A + 1_n v^\top`."""

    A: np.ndarray
    x: np.ndarray
    v: np.ndarray

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class LogitInstance:
    r"""Logits :math:`u \in \mathbb{R}^n` (so :math:`f = \mathrm{softmax}(u)`) and a target :math:`b \in \mathbb{R}^n`."""

    u: np.ndarray
    b: np.ndarray

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class ClosenessInstance:
    r"""One task seen two ways: a GD step on x (step :math:`\eta`) and one softmax self-attention update of A.

    ``WQ``, ``WK`` (d x k) and ``WV`` (d x d) are the layer's weights
    (:func:`attnlab.theory.softmax_icl.attention_update.attention_update`)."""

    A: np.ndarray
    x: np.ndarray
    b: np.ndarray
    eta: float
    WQ: np.ndarray
    WK: np.ndarray
    WV: np.ndarray
    R: float

    def __post_init__(self):
        _freeze(self)


@dataclass(frozen=True, eq=False)
class RegularizedInstance:
    r"""A regularised softmax regression :math:`(A, x, b, w)`: :math:`L + \tfrac12\|\mathrm{diag}(w)Ax\|^2`."""

    A: np.ndarray
    x: np.ndarray
    b: np.ndarray
    w: np.ndarray

    def __post_init__(self):
        _freeze(self)
