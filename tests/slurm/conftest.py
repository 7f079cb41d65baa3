"""A real single-node Slurm cluster for the tests in this directory.

``slurm_cluster`` (session scope) starts the throwaway cluster of ``.ci/slurm/start.sh`` unless it
already runs, points the Slurm client tools at it through ``SLURM_CONF``, and yields a
:class:`SlurmCluster`. Without Slurm installed every test that uses it skips; ``.ci/run``
installs it (``.ci/slurm/install.sh``). A cluster this session started is stopped at the end of the
session (``.ci/slurm/stop.sh``), also when tests failed or the start itself failed half-way; a cluster
that was already running is left as it was (someone else owns it).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
START = REPO / ".ci" / "slurm" / "start.sh"
STOP = REPO / ".ci" / "slurm" / "stop.sh"


@dataclass(frozen=True)
class SlurmCluster:
    conf: Path  # the slurm.conf that SLURM_CONF now names
    partition: str = "debug"


def _installed(tool: str) -> bool:
    return shutil.which(tool) is not None or Path("/usr/sbin", tool).exists()


@contextmanager
def cluster_session(start: Path = START, stop: Path = STOP) -> Iterator[str]:
    """Start the cluster (unless it already runs) and yield its SLURM_CONF; stop it afterwards if started here."""
    proc = subprocess.run(["bash", str(start)], capture_output=True, text=True, timeout=180)
    started_here = "already running" not in proc.stderr
    try:
        if proc.returncode != 0:
            pytest.fail(f"{start} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}", pytrace=False)
        conf = next(
            (line.split("=", 1)[1] for line in proc.stdout.splitlines() if line.startswith("export SLURM_CONF=")),
            None,
        )
        assert conf, f"start.sh printed no SLURM_CONF:\n{proc.stdout}"
        yield conf
    finally:
        if started_here:  # also after a half-way failed start: munged may be up without slurmctld
            subprocess.run(["bash", str(stop)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def slurm_cluster():
    missing = [t for t in ("sbatch", "squeue", "slurmctld", "slurmd", "munged") if not _installed(t)]
    if missing:
        pytest.skip(f"slurm not installed; .ci/run installs it (missing: {', '.join(missing)})")
    with cluster_session() as conf, pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLURM_CONF", conf)  # read by sbatch/squeue here and inherited by the jobs
        yield SlurmCluster(conf=Path(conf))
