"""The Slurm test fixture stops the cluster it started, also when tests fail, and only that one (issue 8, item 9).

Driven with stand-in start/stop scripts, so it runs without Slurm and never touches a real cluster.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_CONFTEST = Path(__file__).resolve().parents[1] / "slurm" / "conftest.py"
_spec = importlib.util.spec_from_file_location("attnlab_slurm_conftest", _CONFTEST)
slurm_conftest = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(slurm_conftest)


def _scripts(tmp_path, start_body: str) -> tuple[Path, Path, Path]:
    log = tmp_path / "log"
    start, stop = tmp_path / "start.sh", tmp_path / "stop.sh"
    start.write_text(f"echo start >> {log}\n{start_body}\n")
    stop.write_text(f"echo stop >> {log}\n")
    return start, stop, log


def test_a_cluster_started_by_the_session_is_stopped_even_when_a_test_fails(tmp_path):
    start, stop, log = _scripts(tmp_path, "echo export SLURM_CONF=/c/slurm.conf")
    with pytest.raises(RuntimeError), slurm_conftest.cluster_session(start, stop) as conf:
        assert conf == "/c/slurm.conf"
        raise RuntimeError("a failing test")
    assert log.read_text().split() == ["start", "stop"]


def test_a_cluster_that_was_already_running_is_left_running(tmp_path):
    start, stop, log = _scripts(tmp_path, "echo 'slurm: already running (/d)' >&2; echo export SLURM_CONF=/c")
    with slurm_conftest.cluster_session(start, stop):
        pass
    assert log.read_text().split() == ["start"]


def test_a_start_that_fails_half_way_is_cleaned_up(tmp_path):
    start, stop, log = _scripts(tmp_path, "echo 'slurmctld failed to start' >&2; exit 1")
    with pytest.raises(pytest.fail.Exception, match="failed"), slurm_conftest.cluster_session(start, stop):
        pass
    assert log.read_text().split() == ["start", "stop"]
