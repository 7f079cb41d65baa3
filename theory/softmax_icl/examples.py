r"""Canonical small named instances, shared by tests, docstrings, CLI demos and smoke runs (after tracr's ``lib.py``).

:data:`EXAMPLES` maps a paper key to ``{name: Example}``. This module holds the softmax-regression
instances (paper key ``softmax_icl``, arXiv 2304.13276); another paper adds its own module with its own
``EXAMPLES`` dict and registers it in :data:`EXAMPLES` under its key, so nothing here depends on it.
Each example is deliberately good or broken and says why in ``note``.

>>> ex = EXAMPLES["softmax_icl"]["near_two_way_tie"]
>>> sorted(ex.arrays)
['A', 'R', 'b', 'x', 'y']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Example", "EXAMPLES", "SOFTMAX_ICL_EXAMPLES"]


@dataclass(frozen=True)
class Example:
    """A named instance: its arrays, whether it is valid input, and what it demonstrates."""

    name: str
    arrays: dict = field(default_factory=dict)
    valid: bool = True
    note: str = ""


def _softmax_icl() -> dict[str, Example]:
    r2 = np.sqrt(2.0)
    R = 2.0
    # A has orthogonal columns of norm R (||A||_2 = R); x sends token 3 far below a tie of tokens 1 and 2,
    # and y - x moves along A^{-1}(e_1 - e_2): ||f(x) - f(y)|| / ||x - y|| is within 1e-12 of R/2.
    A_tie = np.array([[R / r2, 0.0], [-R / r2, 0.0], [0.0, -R]])
    x_tie = np.array([0.0, 15.0])
    exs = [
        Example(
            "tiny",
            {"A": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), "x": np.array([0.5, -0.25]),
             "b": np.array([0.2, 0.3, 0.5]), "R": 2.0},
            note="n = 3, d = 2, ||A||_2 = sqrt(3) <= R = 2: the smallest generic softmax regression",
        ),
        Example(
            "distinct_primes",
            {"A": np.linspace(-1.0, 1.0, 35).reshape(5, 7) / 3.0, "x": np.linspace(0.5, -0.5, 7),
             "b": np.full(5, 0.2), "R": 2.0},
            note="n = 5, d = 7: distinct sizes so that a swapped axis fails",
        ),
        Example(
            "near_two_way_tie",
            {"A": A_tie, "x": x_tie, "y": x_tie + np.array([1e-4, 0.0]), "b": np.array([1.0, 0.0, 0.0]), "R": R},
            note="f ~ (1/2, 1/2, 0): the Lipschitz ratio in x is R/2 to ~1e-9 (C6 tight)",
        ),
        Example(
            "large_logits",
            {"A": np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]), "x": np.array([800.0, 790.0]),
             "b": np.array([1.0, 0.0, 0.0]), "R": 1000.0},
            note="logits ~ 800 overflow a naive exp; max-subtraction gives f = (1 - e^-10, e^-10, 0)",
        ),
        Example(
            "nan_entry",
            {"A": np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0]]), "x": np.array([0.5, -0.25]),
             "b": np.array([0.2, 0.3, 0.5]), "R": 2.0},
            valid=False,
            note="broken: A has a NaN; theory functions raise InvalidInputError, claims say not-applicable",
        ),
        Example(
            "norm_above_R",
            {"A": 3.0 * np.eye(3, 2), "x": np.array([0.1, 0.2]), "y": np.array([0.2, 0.1]),
             "b": np.array([0.2, 0.3, 0.5]), "R": 1.0},
            note="||A||_2 = 3 > R = 1: the hypotheses of the R-bounds are unmet (not-applicable)",
        ),
        Example(
            "paper_regime",
            {"A": 4.0 * np.eye(5, 3), "x": np.array([1.0, 0.5, 0.0]), "y": np.array([1.001, 0.5, 0.0]),
             "b": np.full(5, 0.2), "R": 4.0},
            note="R = 4, ||A|| = R, ||A(y - x)||_inf = 0.004 < 0.01: inside the literal theorem's hypotheses",
        ),
    ]
    return {e.name: e for e in exs}


SOFTMAX_ICL_EXAMPLES: dict[str, Example] = _softmax_icl()

#: paper key -> {example name -> Example}
EXAMPLES: dict[str, dict[str, Example]] = {"softmax_icl": SOFTMAX_ICL_EXAMPLES}
