"""The CLI end to end, as a user runs it: check -> reproduce -> report, with artifacts on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys

FIG = "softmax_icl/lipschitz-ratio-vs-n"


def _attnlab(*args, cwd):
    env = {**os.environ, "ATTNLAB_PROGRESS": "0"}
    return subprocess.run([sys.executable, "-m", "attnlab.experiments.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_check_reproduce_report_write_records_verdicts_and_pages(tmp_path):
    chk = _attnlab("check", "softmax_icl/gradient-formula", "softmax_icl/shift-invariance", "--budget", "10",
                   cwd=tmp_path)
    assert chk.returncode == 0, chk.stderr
    claims = json.loads((tmp_path / "results" / "claims.json").read_text())
    assert {c["status"] for c in claims.values()} <= {"empirical-holds", "certified", "proved-symbolic"}
    assert all(c["instances_tried"] > 0 for c in claims.values())

    rep = _attnlab("reproduce", FIG, "--set", "draws=20", "--set", "n_values=25,200", "--set", "R_values=4",
                   "--set", "seeds=0", cwd=tmp_path)
    assert rep.returncode == 0, rep.stderr
    # an overridden reproduction is stored beside the default one, in <slug>--<scale>+<overrides>
    (target,) = (tmp_path / "results" / "figures").glob("softmax_icl__lipschitz-ratio-vs-n--smoke*")
    summary = json.loads((target / "summary.json").read_text())
    assert summary["computed_cells"] == 1 and summary["config"]["draws"] == 20
    assert {q["quantity"] for q in summary["comparisons"]} >= {"median_x_ratio_n200_R4", "max_ratio_over_tight"}
    assert all(q["agrees"] in (True, False, None) for q in summary["comparisons"])
    for name in ("figure.png", "figure.pdf", "rows.csv"):
        assert (target / name).stat().st_size > 0

    again = _attnlab("reproduce", FIG, "--set", "draws=20", "--set", "n_values=25,200", "--set", "R_values=4",
                     "--set", "seeds=0", cwd=tmp_path)
    assert "0 cells computed, 1 cached" in again.stdout

    page = _attnlab("report", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "results" / "report.html").read_text()
    assert FIG in html and "softmax_icl/gradient-formula" in html and "figure.png" in html
    assert "not run" in (tmp_path / "results" / "report.md").read_text()  # claims never checked are listed
