r"""Softmax copy error vs inverse temperature (spec A5 and §7.6 [derived]).

The copy head of the representation construction with softmax attention, logits
:math:`\beta\langle\mathrm{pos}_i, S_1\mathrm{pos}_j\rangle` over N tokens carrying values v: the max copy
error over tokens j < N-1, divided by the spread :math:`\max v - \min v`, against the rate
:math:`(N-1)e^{-\beta}` (claim ``algoformer/softmax-copy-error`` proves the exact form). Rows: one per
(N, beta, draw statistic). The summary fits the slope of log(error) in beta above the float64 floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.theory.algoformer.representation import copy_error
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE"]


@dataclass(frozen=True)
class Config(ExperimentConfig):
    N_values: tuple[int, ...] = (11, 61)
    betas: tuple[float, ...] = (1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0)
    draws: int = 50

    def validate(self):
        if not self.N_values or min(self.N_values) < 2 or not self.betas or min(self.betas) <= 0 or self.draws < 1:
            raise ConfigError("N_values >= 2, betas > 0 and draws >= 1 required")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(N_values=(7, 11), draws=3)

    @classmethod
    def smoke(cls):
        return cls(draws=20)

    @classmethod
    def paper(cls):
        return cls(N_values=(11, 31, 61, 121), draws=500, seeds=(0, 1, 2))


def run(cfg: Config, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for N in cfg.N_values:
        values = rng.normal(size=(cfg.draws, N))
        spread = values.max(axis=1) - values.min(axis=1)
        for beta in cfg.betas:
            errs = np.array([copy_error(v, beta) for v in values]) / spread
            rate = (N - 1) * math.exp(-beta)
            rows.append({"N": N, "beta": beta, "err_max": float(errs.max()), "err_median": float(np.median(errs)),
                         "rate": rate, "bound": rate / (1 + rate), "seed": seed})
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Slope of log(median error) vs beta above the float64 floor (the rate predicts -1), and whether the
    max error ever exceeds the bound (N-1)e^{-beta}/(1+(N-1)e^{-beta})."""
    pts = [(r["beta"], math.log(r["err_median"])) for r in rows if 1e-13 < r["err_median"] and r["rate"] < 0.1]
    slope = float(np.polyfit(*zip(*pts, strict=True), 1)[0]) if len({b for b, _ in pts}) >= 2 else float("nan")
    return {"log_error_slope_vs_beta": slope,
            "max_error_over_bound": max(r["err_max"] / r["bound"] for r in rows if r["err_max"] > 1e-13)}


FIGURE = Figure(
    id="algoformer/softmax-copy-vs-beta",
    paper="algoformer",
    title="Softmax copy error vs inverse temperature beta, against (N-1)e^{-beta}",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#softmax-copy (ours: not a figure of the paper)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.algoformer.softmax_copy:plot",
    choices="values i.i.d. N(0, 1); error relative to the spread of the values; tokens j < N-1 only (the last has no successor)",
)
