r"""Instance types of the algoformer claims (plain frozen dataclasses of float64 arrays).

Step sizes are stored as fractions of the stability threshold, :math:`\eta = f\cdot 2/\lambda_{\max}(S)`, so a
strategy draws inside (or, on purpose, outside) the stable range by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.algoformer.baselines import moments

__all__ = ["Metamorphic", "Regression", "Representation", "ArSequence", "CotPrompt", "CopyInstance", "spectrum", "step"]


def spectrum(Z: np.ndarray) -> tuple[float, float, float]:
    r"""(:math:`\lambda_{\min}^+`, :math:`\lambda_{\max}`, condition number over the non-zero eigenvalues) of
    :math:`S = Z^\top Z/n`; non-zero means above ``rank`` tolerance relative to the largest."""
    ev = np.linalg.eigvalsh(Z.T @ Z / Z.shape[0])
    top = float(ev[-1])
    nz = ev[ev > 1e-10 * top] if top > 0 else ev[-1:]
    return float(nz[0]), top, top / float(nz[0]) if nz[0] > 0 else np.inf


def step(Z: np.ndarray, frac: float) -> float:
    return frac * 2.0 / spectrum(Z)[1]


@dataclass(frozen=True)
class Regression:
    X: np.ndarray  # (n, d)
    y: np.ndarray  # (n,)
    xq: np.ndarray  # (d,)
    frac: float  # eta (or alpha) as a fraction of 2 / lambda_max
    T: int

    @property
    def eta(self) -> float:
        return step(self.X, self.frac)

    def S_b(self):
        return moments(self.X, self.y)


@dataclass(frozen=True)
class Representation:
    X: np.ndarray
    y: np.ndarray
    xq: np.ndarray
    Bs: tuple[np.ndarray, ...]
    a: float
    frac: float
    T: int


@dataclass(frozen=True)
class ArSequence:
    x: np.ndarray  # (N, d)
    Bs: tuple[np.ndarray, ...]
    a: float
    q: int
    frac: float
    T: int


@dataclass(frozen=True)
class CotPrompt:
    states: np.ndarray  # (n, L+1, d)
    query: np.ndarray  # (ell+1, d)
    a: float
    frac: float
    T: int


@dataclass(frozen=True)
class CopyInstance:
    values: np.ndarray  # (N,)
    beta: float


@dataclass(frozen=True)
class Metamorphic:
    """A regression plus the transformation's parameters: scale ``c`` and a seed for the permutation / rotation."""

    reg: Regression
    c: float
    seed: int
