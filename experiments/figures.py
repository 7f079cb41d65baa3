r"""The figure registry: each reproducible figure is an experiment module plus a plot function.

An experiment module ``experiments/<paper>_<figure>.py`` defines

* ``Config``: a frozen :class:`~attnlab.experiments.config.ExperimentConfig` with ``smoke()`` and ``paper()``;
* ``run(cfg, seed) -> list[dict]``: pure, tidy rows (one row per (config, seed, step, metric) or similar);
* ``summarize(rows) -> dict[str, float]``: the quantities compared with the paper's reference data;
* ``FIGURE = Figure(...)``: its registration, naming the ``paper_figs`` plot function by dotted path.

Add the module's name to :data:`FIGURE_MODULES`. Reference numbers live in
``paper_figs/reference/<paper>.json`` under the figure id.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from attnlab.experiments.config import ExperimentConfig
from attnlab.theory.errors import UnknownIdError

__all__ = ["Figure", "FIGURE_MODULES", "all_figures", "get_figure"]

#: Modules that define a ``FIGURE``. Add a figure here.
FIGURE_MODULES: tuple[str, ...] = (
    "attnlab.experiments.softmax_icl.lipschitz_ratio",
    "attnlab.experiments.softmax_icl.fig1_training",
    "attnlab.experiments.softmax_icl.fig2_loss_vs_d",
    "attnlab.experiments.softmax_icl.fig4_linear_baseline",
    "attnlab.experiments.tf_svm.local_convergence",
    "attnlab.experiments.tf_svm.overparam_convergence",
    "attnlab.experiments.tf_svm.svm_rank",
    "attnlab.experiments.tf_svm.gd_paths",
    "attnlab.experiments.tf_svm.multi_token",
    "attnlab.experiments.tf_svm.mmts_single_input",
    "attnlab.experiments.tf_svm.mmts_multi_input",
    "attnlab.experiments.tf_svm.mmts_loss_dependence",
    "attnlab.experiments.tf_svm.mmts_joint_training",
)


@dataclass(frozen=True)
class Figure:
    """A reproducible figure: experiment, config class, summary, and where its plot lives."""

    id: str  # "<paper>/<figure>", e.g. "softmax_icl/fig1-training"
    paper: str
    title: str
    locator: str  # where in the paper (figure, page, version) or "unverified"
    config_cls: type[ExperimentConfig]
    run: Callable[[ExperimentConfig, int], list[dict]]
    summarize: Callable[[list[dict]], dict[str, float]]
    plot: str  # "attnlab.paper_figs.module:function", called as plot(rows) -> matplotlib Figure
    choices: str = ""  # what we chose where the paper is silent; printed beside the result

    def cells(self, cfg: ExperimentConfig) -> list[tuple[ExperimentConfig, int]]:
        """One cell per seed."""
        return [(cfg, s) for s in cfg.seeds]

    def plot_fn(self) -> Callable:
        module, _, name = self.plot.partition(":")
        return getattr(importlib.import_module(module), name)


def all_figures() -> list[Figure]:
    return [importlib.import_module(m).FIGURE for m in FIGURE_MODULES]


def get_figure(figure_id: str) -> Figure:
    figs = {f.id: f for f in all_figures()}
    if figure_id not in figs:
        raise UnknownIdError("figure", figure_id, sorted(figs))
    return figs[figure_id]
