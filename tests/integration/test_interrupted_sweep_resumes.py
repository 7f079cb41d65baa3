"""An interrupted sweep (process killed mid-run) resumes and completes with exactly one row set per cell."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

FIG = "softmax_icl/lipschitz-ratio-vs-n"
ARGS = ["reproduce", FIG, "--set", "seeds=" + ",".join(map(str, range(12))), "--set", "draws=400",
        "--set", "n_values=50,200", "--set", "R_values=4"]


def _cells(db) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _attnlab(args, tmp_path, capture=True):
    env = {**os.environ, "ATTNLAB_PROGRESS": "0"}
    cmd = [sys.executable, "-m", "attnlab.experiments.cli", *args, "--out", str(tmp_path), "--store", str(tmp_path / "s.sqlite")]
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=env, stdout=pipe, stderr=pipe)


def test_sweep_killed_mid_run_resumes_with_exactly_one_row_set_per_cell(tmp_path):
    db = tmp_path / "s.sqlite"
    proc = _attnlab(ARGS, tmp_path, capture=False)
    deadline = time.time() + 120
    while _cells(db) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _cells(db)
    assert 2 <= done_before < 12, f"kill landed outside the sweep ({done_before} cells stored)"

    resumed = _attnlab(ARGS, tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    assert f"{12 - done_before} cells computed, {done_before} cached" in out.decode()
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 12
        per_cell = con.execute("SELECT cell_key, COUNT(*) FROM rows GROUP BY cell_key").fetchall()
        n_rows = con.execute("SELECT n_rows FROM cells").fetchall()
    assert len(per_cell) == 12
    assert {c for _, c in per_cell} == {n for (n,) in n_rows} == {2 * 1 * 4}
