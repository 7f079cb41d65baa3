"""SlurmExecutor on the real single-node cluster: same results as the serial executor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attnlab.experiments.executors import make_executor

pytestmark = [pytest.mark.slurm, pytest.mark.timeout(300)]


def cube(item: dict) -> dict:
    return {"name": item["name"], "cube": item["x"] ** 3}


def fail_on_two(x: int) -> int:
    if x == 2:
        raise ValueError("two is not allowed")
    return x


@pytest.fixture
def jobs_can_import_this_module(slurm_cluster, monkeypatch):
    """Jobs unpickle the submitted function by reference (module + name), so the job's Python
    must import this test module: put the sys.path entry it was imported under on PYTHONPATH.
    (Functions from the installed package need nothing of the kind.)"""
    here = str(Path(__file__).resolve().parents[len(__name__.split(".")) - 1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
    return slurm_cluster


def test_slurm_matches_serial(jobs_can_import_this_module, tmp_path):
    items = [{"name": n, "x": x} for n, x in [("a", 1), ("b", 2), ("c", 3)]]
    ex = make_executor("slurm", slurm_folder=tmp_path, slurm_partition="debug", slurm_timeout_min=5)
    assert ex.name == "slurm"
    got = list(ex.map_unordered(cube, items))
    assert sorted(i for i, _ in got) == [0, 1, 2]
    assert dict(got) == dict(make_executor("serial").map_unordered(cube, items))


def test_slurm_failure_names_the_item(jobs_can_import_this_module, tmp_path):
    ex = make_executor("slurm", slurm_folder=tmp_path, slurm_timeout_min=5)
    with pytest.raises(Exception, match="two is not allowed") as info:
        list(ex.map_unordered(fail_on_two, [1, 2]))
    assert any("item 1" in note for note in info.value.__notes__)


def die_hard(x: int) -> int:
    os._exit(3)  # no result file: like a job killed by the OOM killer or a node failure


def test_slurm_job_that_dies_without_result_is_reported(jobs_can_import_this_module, tmp_path):
    ex = make_executor("slurm", slurm_folder=tmp_path, slurm_timeout_min=5)
    ex.squeue_every_s = 0.5
    with pytest.raises(RuntimeError, match="left the queue without a result"):
        list(ex.map_unordered(die_hard, [0]))
