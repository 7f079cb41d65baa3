r"""The sweep runner: cells -> executor -> store, resumable.

A *cell* is (experiment id, config without seeds, seed, device, dtype). Its key is
``sha256(canonical_json([experiment, config, version, seed, device, dtype]))``, so the key changes with any
config field, a package release, the device or the dtype and nothing else (no mtimes, no paths): a cell
computed on CPU is never served to a CUDA request. The device is chosen once, here, by
:func:`attnlab.gpu.device.device_name` for figures whose ``run`` takes ``device=`` (``"cpu"`` for the others,
which compute on the CPU whatever is asked), and travels to the worker inside the cell, never through the
environment; the dtype is the config's ``dtype`` field where it has one, else float64. Workers run
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
    device: str = "cpu"  # resolved: "cpu", "cuda", "cuda:1", "mps"
    dtype: str = "float64"

    @property
    def key(self) -> str:
        blob = canonical_json([self.experiment, self.config, self.version, self.seed, self.device, self.dtype])
        return hashlib.sha256(blob.encode()).hexdigest()


def plan_cells(figure: Figure, cfg: ExperimentConfig, device: str | None = None) -> list[Cell]:
    """One cell per (config variant, seed) of the figure, in a stable order, on ``device`` (None: the policy's
    choice, :func:`attnlab.gpu.device.device_name`) if the figure computes on a device."""
    if figure.takes_device:
        from attnlab.gpu.device import device_name

        dev = device_name(device)
    else:
        dev = "cpu"
    return [
        Cell(figure.id, canonical_json(c.without_seeds()), int(seed), __version__, dev, str(getattr(c, "dtype", "float64")))
        for c, seed in figure.cells(cfg)
    ]


def execute_cell(cell: Cell) -> tuple[list[dict], float]:
    """Worker entry point (module level, picklable): rebuild the config and run the experiment."""
    import json

    figure = get_figure(cell.experiment)
    cfg = figure.config_cls.from_dict({**json.loads(cell.config), "seeds": [cell.seed]})
    kw = {"device": cell.device} if figure.takes_device else {}
    t0 = time.perf_counter()
    rows = figure.run(cfg, cell.seed, **kw)
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
