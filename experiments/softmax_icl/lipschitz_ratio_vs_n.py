r"""Typical-case Lipschitz ratios of softmax regression against R/2 and the paper's M (spec C9, §7 Sweeps).

For each (n, R): draw :math:`A \in \mathbb{R}^{n \times d}` Gaussian rescaled to :math:`\|A\|_2 = R`,
:math:`x` uniform in the R-ball, a random unit direction :math:`u \in \mathbb{R}^d` and a random
:math:`E \in \mathbb{R}^{n\times d}` with :math:`\|E\|_2 = 1`, and record the local (infinitesimal) ratios

.. math::

    r_x = \|J_u A u\|_2 = \lim_{t\to0} \frac{\|f(A, x+tu) - f(A, x)\|}{t}, \qquad
    r_A = \|J_u E x\|_2 = \lim_{t\to0} \frac{\|f(A+tE, x) - f(A, x)\|}{t\|E\|},

with :math:`J_u = \mathrm{diag}(f) - ff^\top`. The tight constant is R/2; the paper's constant is
:math:`M = n^{1.5} e^{10R^2}`. Rows report ``r / (R/2)`` and ``log10(M / r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.theory.errors import ConfigError
from attnlab.theory.softmax_icl.softmax_regression import f, log_paper_constant, softmax_jacobian

__all__ = ["Config", "run", "summarize", "FIGURE"]


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """``draws`` instances per (n, R) per seed; ``d`` embedding size (spec C9 uses d = 20)."""

    n_values: tuple[int, ...] = (25, 50, 100, 200)
    R_values: tuple[float, ...] = (1.0, 4.0)
    d: int = 20
    draws: int = 300

    def validate(self):
        if not self.n_values or min(self.n_values) < 2:
            raise ConfigError(f"n_values must be non-empty with every n >= 2, got {self.n_values}")
        if not self.R_values or min(self.R_values) <= 0 or max(self.R_values) > 8.4:
            raise ConfigError(f"R_values must lie in (0, 8.4] (M overflows float64 beyond), got {self.R_values}")
        if self.d < 1 or self.draws < 1:
            raise ConfigError(f"d and draws must be >= 1, got d={self.d}, draws={self.draws}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(seeds=(0, 1), n_values=(3, 5), R_values=(1.0,), d=7, draws=4)

    @classmethod
    def smoke(cls):
        return cls(seeds=(0, 1), draws=150)

    @classmethod
    def paper(cls):
        return cls(seeds=tuple(range(10)), n_values=(10, 25, 50, 100, 200, 400), R_values=(0.5, 1.0, 2.0, 4.0, 8.0))


def _instance(rng, n, d, R):
    A = rng.normal(size=(n, d))
    A *= R / np.linalg.norm(A, 2)
    v = rng.normal(size=d)
    x = v / np.linalg.norm(v) * R * rng.uniform() ** (1.0 / d)
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    E = rng.normal(size=(n, d))
    E /= np.linalg.norm(E, 2)
    return A, x, u, E


def run(cfg: Config, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for n in cfg.n_values:
        for R in cfg.R_values:
            rx, ra = np.empty(cfg.draws), np.empty(cfg.draws)
            for i in range(cfg.draws):
                A, x, u, E = _instance(rng, n, cfg.d, R)
                J = softmax_jacobian(f(A, x))
                rx[i] = np.linalg.norm(J @ (A @ u))
                ra[i] = np.linalg.norm(J @ (E @ x))
            log10_M = log_paper_constant(n, R) / np.log(10)
            for name, r in (("x", rx), ("A", ra)):
                for stat, val in (("median", np.median(r)), ("max", np.max(r))):
                    rows.append({"n": n, "R": R, "d": cfg.d, "variable": name, "stat": stat, "ratio": float(val),
                                 "ratio_over_tight": float(val / (R / 2)), "log10_M_over_ratio": float(log10_M - np.log10(val)),
                                 "draws": cfg.draws})
    return rows


def _pick(rows, **match):
    vals = [r["ratio"] for r in rows if all(r[k] == v for k, v in match.items())]
    return float(np.mean(vals)) if vals else float("nan")


def summarize(rows: list[dict]) -> dict[str, float]:
    """Medians (averaged over seeds) at the spec's points, and the largest normalised ratio seen."""
    out = {
        "median_x_ratio_n200_R4": _pick(rows, n=200, R=4.0, variable="x", stat="median", d=20),
        "median_x_ratio_n25_R4": _pick(rows, n=25, R=4.0, variable="x", stat="median", d=20),
        "median_A_ratio_n200_R4": _pick(rows, n=200, R=4.0, variable="A", stat="median", d=20),
        "max_ratio_over_tight": max((r["ratio_over_tight"] for r in rows), default=float("nan")),
        "min_log10_M_over_ratio_R4": min((r["log10_M_over_ratio"] for r in rows if r["R"] == 4.0),
                                         default=float("nan")),
    }
    return out


FIGURE = Figure(
    id="softmax_icl/lipschitz-ratio-vs-n",
    paper="softmax_icl",
    title="Typical Lipschitz ratio of softmax regression vs n, against R/2 and the paper's M",
    locator="not a figure of the paper: attnlab sweep; derived: proofs_checks/softmax_icl/DERIVATIONS.md#paper-m-looseness "
    "(with #lipschitz-x and #lipschitz-a)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.softmax_icl.lipschitz_ratio:plot",
    choices="local (infinitesimal) ratios along a random unit direction / random unit-spectral-norm E; "
    "||A||_2 = R exactly; x uniform in the R-ball; d = 20",
)
