"""The serial and process executors agree, cover every item once, and report failures."""

from __future__ import annotations

import os

import pytest

from attnlab.experiments.executors import EXECUTORS, ProcessExecutor, SerialExecutor, make_executor
from attnlab.theory.errors import ConfigError


def square(item: tuple[int, int]) -> dict[str, int]:
    """Module-level, so spawned workers can unpickle it."""
    seed, x = item
    return {"seed": seed, "sq": x * x}


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x


ITEMS = [(seed, x) for seed in range(2) for x in range(5)]


def test_serial_and_process_agree_and_cover_every_index_once():
    serial = list(make_executor("serial").map_unordered(square, ITEMS))
    process = list(make_executor("process", workers=2).map_unordered(square, ITEMS))
    for pairs in (serial, process):
        indices = [i for i, _ in pairs]
        assert sorted(indices) == list(range(len(ITEMS)))
    assert serial == [(i, square(item)) for i, item in enumerate(ITEMS)]  # serial keeps order
    assert dict(process) == dict(serial)


def test_default_workers_and_empty_items():
    assert list(ProcessExecutor().map_unordered(square, [(0, 7)])) == [(0, {"seed": 0, "sq": 49})]
    assert list(ProcessExecutor().map_unordered(square, [])) == []
    assert list(SerialExecutor().map_unordered(square, [])) == []


@pytest.mark.parametrize("name", ["serial", "process"])
def test_exception_propagates_with_its_type_and_index(name):
    with pytest.raises(ValueError, match="three is not allowed") as info:
        list(make_executor(name).map_unordered(fail_on_three, [1, 2, 3, 4]))
    assert any("item 2" in note for note in info.value.__notes__)


def test_names_and_errors():
    assert EXECUTORS == ("serial", "process", "slurm")
    assert make_executor("serial").name == "serial"
    assert make_executor("process").name == "process"
    with pytest.raises(ConfigError, match="serial, process, slurm"):
        make_executor("dask")
    with pytest.raises(ConfigError, match="workers"):
        make_executor("process", workers=0)


def test_single_threaded_worker_defaults_blas_threads_to_one_but_keeps_a_user_setting(monkeypatch):
    from attnlab.experiments.executors import single_threaded_worker

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    single_threaded_worker()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "3"
