r"""The sweep runner: cells -> executor -> store, resumable.

A *cell* is (experiment id, config without seeds, seed). Its key is
``sha256(canonical_json([experiment, config, version, seed]))``, so the key changes with any config
field or a package release and nothing else (no mtimes, no paths). Workers run
:func:`execute_cell` and return rows; only this process writes the store, one transaction per cell,
as each cell completes. Cells already stored are skipped, so an interrupted sweep resumes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from attnlab.experiments.config import ExperimentConfig, canonical_json
from attnlab.experiments.executors import Executor
from attnlab.experiments.figures import Figure, get_figure
from attnlab.experiments.progress import progress
from attnlab.experiments.store import ResultStore
from attnlab.theory._version import __version__

__all__ = ["Cell", "plan_cells", "execute_cell", "run_sweep", "SweepReport"]


@dataclass(frozen=True)
class Cell:
    experiment: str
    config: str  # canonical JSON of the config without seeds
    seed: int
    version: str

    @property
    def key(self) -> str:
        blob = canonical_json([self.experiment, self.config, self.version, self.seed])
        return hashlib.sha256(blob.encode()).hexdigest()


def plan_cells(figure: Figure, cfg: ExperimentConfig) -> list[Cell]:
    """One cell per (config variant, seed) of the figure, in a stable order."""
    return [
        Cell(figure.id, canonical_json(c.without_seeds()), int(seed), __version__)
        for c, seed in figure.cells(cfg)
    ]


def execute_cell(cell: Cell) -> tuple[list[dict], float]:
    """Worker entry point (module level, picklable): rebuild the config and run the experiment."""
    import json

    figure = get_figure(cell.experiment)
    cfg = figure.config_cls.from_dict({**json.loads(cell.config), "seeds": [cell.seed]})
    t0 = time.perf_counter()
    rows = figure.run(cfg, cell.seed)
    wall = time.perf_counter() - t0
    return [{**r, "seed": cell.seed, "cell_key": cell.key} for r in rows], wall


@dataclass(frozen=True)
class SweepReport:
    cells: int
    computed: int
    skipped: int
    wall_s: float


def run_sweep(cells: list[Cell], store: ResultStore, executor: Executor, desc: str = "sweep") -> SweepReport:
    """Run every cell not yet in ``store``; write each one as it completes."""
    t0 = time.perf_counter()
    stored = store.stored_keys(c.key for c in cells)
    todo = [c for c in cells if c.key not in stored]
    bar = progress(total=len(todo), desc=f"{desc} ({len(cells) - len(todo)} cached)")
    for index, (rows, wall) in executor.map_unordered(execute_cell, todo):
        c = todo[index]
        store.put(c.key, c.experiment, c.config, c.seed, c.version, rows, wall)
        bar.update(1)
    bar.close()
    return SweepReport(len(cells), len(todo), len(cells) - len(todo), time.perf_counter() - t0)
