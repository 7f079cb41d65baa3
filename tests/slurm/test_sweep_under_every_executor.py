"""The same sweep gives the same rows under the serial, process and slurm executors."""

from __future__ import annotations

import pytest

from attnlab.experiments.executors import make_executor
from attnlab.experiments.figures import get_figure
from attnlab.experiments.runner import plan_cells, run_sweep
from attnlab.experiments.softmax_icl.lipschitz_ratio_vs_n import Config
from attnlab.experiments.store import ResultStore

TINY = Config(seeds=(0, 1, 2), n_values=(3, 5), R_values=(1.0, 4.0), d=7, draws=5)


@pytest.mark.slurm
@pytest.mark.timeout(300)
def test_sweep_rows_are_identical_under_every_executor(slurm_cluster, tmp_path):
    cells = plan_cells(get_figure("softmax_icl/lipschitz-ratio-vs-n"), TINY)
    got = {}
    for name in ("serial", "process", "slurm"):
        executor = make_executor(name, workers=2, slurm_folder=tmp_path / "slurm", slurm_partition=slurm_cluster.partition)
        with ResultStore(tmp_path / f"{name}.sqlite") as store:
            report = run_sweep(cells, store, executor)
            assert report.computed == len(cells)
            got[name] = store.rows([c.key for c in cells])
    assert got["serial"] == got["process"] == got["slurm"]
    assert len(got["serial"]) == len(cells) * 2 * 2 * 4
