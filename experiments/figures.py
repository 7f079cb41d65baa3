r"""The figure registry: each reproducible figure is an experiment module plus a plot function.

An experiment module ``experiments/<paper>/<figure_slug>.py`` defines

* ``Config``: a frozen :class:`~attnlab.experiments.config.ExperimentConfig` with ``smoke()`` and ``paper()``;
* ``run(cfg, seed) -> list[dict]``: pure, tidy rows (one row per (config, seed, step, metric) or similar);
  a figure that computes on a torch device takes ``run(cfg, seed, device=None)``: the sweep passes the cell's
  device explicitly (chosen once by :func:`attnlab.gpu.device.device_name`, part of the cell's key);
* ``summarize(rows) -> dict[str, float]``: the quantities compared with the paper's reference data;
* ``FIGURE = Figure(...)``: its registration, naming the ``paper_figs`` plot function by dotted path.

Nothing else is edited: figures are found by walking ``attnlab.experiments.<paper>`` for every declared
paper (:mod:`attnlab.proofs_checks.papers`). The module's name is the figure slug with ``-`` written
``_`` (``tf_svm/svm-rank-vs-d`` lives in ``experiments/tf_svm/svm_rank_vs_d.py``), so a sweep cell
imports its own figure module and nothing else. Reference numbers live in
``paper_figs/<paper>/reference.json`` under the figure id.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from attnlab.experiments.config import ExperimentConfig
from attnlab.proofs_checks.papers import BrokenModuleError, all_papers, import_modules_below
from attnlab.proofs_checks.selectors import select_ids
from attnlab.theory.errors import UnknownIdError

__all__ = ["Figure", "all_figures", "get_figure", "figure_module", "select_figures"]

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
    #: optional ``cfg -> [sub-configs]`` whose rows together are ``cfg``'s: instance-level parallelism goes
    #: through the runner's executor as more cells (never a process pool inside a cell)
    split: Callable[[ExperimentConfig], list[ExperimentConfig]] | None = None

    def cells(self, cfg: ExperimentConfig) -> list[tuple[ExperimentConfig, int]]:
        """One cell per (part of ``split(cfg)``, or ``cfg`` itself, and seed)."""
        parts = self.split(cfg) if self.split is not None else [cfg]
        return [(part, s) for part in parts for s in cfg.seeds]

    @property
    def takes_device(self) -> bool:
        """Whether ``run`` accepts ``device=`` (then the cell's device is passed and keyed)."""
        import inspect

        return "device" in inspect.signature(self.run).parameters

    def plot_fn(self) -> Callable:
        module, _, name = self.plot.partition(":")
        return getattr(importlib.import_module(module), name)


def figure_module(figure_id: str) -> str:
    """The module that defines ``figure_id``: ``<paper>/<a-b-c>`` lives in ``attnlab.experiments.<paper>.a_b_c``."""
    paper, _, slug = figure_id.partition("/")
    return f"attnlab.experiments.{paper}.{slug.replace('-', '_')}"


def _paper_figures(paper: str) -> list[Figure]:
    package = f"attnlab.experiments.{paper}"
    if importlib.util.find_spec(package) is None:
        return []
    figs = []
    for mod in import_modules_below(package):
        fig = getattr(mod, "FIGURE", None)
        if isinstance(fig, Figure) and fig.run.__module__ == mod.__name__:
            if figure_module(fig.id) != mod.__name__:
                raise BrokenModuleError(mod.__name__, ValueError(
                    f"figure {fig.id!r} must live in {figure_module(fig.id)} (its slug with '-' as '_')"))
            figs.append(fig)
    return figs


def select_figures(selectors: list[str] | tuple[str, ...]) -> list[str]:
    """Figure ids matching each selector (:func:`~attnlab.proofs_checks.selectors.select_ids`); empty means all."""
    from attnlab.experiments.figure_index import figure_ids  # ids without importing every figure module

    return select_ids(selectors, figure_ids(), all_papers(), "figure")


def all_figures() -> list[Figure]:
    """Every figure of every declared paper, papers in key order, figures in module order."""
    return [f for paper in all_papers() for f in _paper_figures(paper)]


def get_figure(figure_id: str) -> Figure:
    """The figure with this id, importing only its own module; unknown ids list the valid ones."""
    paper, sep, slug = figure_id.partition("/")
    module = figure_module(figure_id)
    if sep and slug and paper in all_papers() and importlib.util.find_spec(f"attnlab.experiments.{paper}"):
        if importlib.util.find_spec(module) is not None:
            try:
                fig = getattr(importlib.import_module(module), "FIGURE", None)
            except Exception as exc:  # noqa: BLE001 - named and re-raised
                raise BrokenModuleError(module, exc) from exc
            if isinstance(fig, Figure) and fig.id == figure_id:
                return fig
    from attnlab.experiments.figure_index import figure_ids

    raise UnknownIdError("figure", figure_id, sorted(figure_ids()))
