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
    # an overridden reproduction is stored beside the default one, named by its scale and overrides
    target = tmp_path / "results" / "figures" / (
        "softmax_icl__lipschitz-ratio-vs-n--smoke+R_values=4+draws=20+n_values=25,200+seeds=0")
    assert not (tmp_path / "results" / "figures" / "softmax_icl__lipschitz-ratio-vs-n").exists()
    summary = json.loads((target / "summary.json").read_text())
    assert summary["computed_cells"] == 1 and summary["config"]["draws"] == 20
    assert summary["overrides"] == {"draws": "20", "n_values": "25,200", "R_values": "4", "seeds": "0"}
    assert summary["version"] and summary["date"] and summary["seeds"] == [0]
    verdicts = {q["quantity"]: q["verdict"] for q in summary["comparisons"]}
    # the bound R/2 can never be exceeded and M is vacuous by ~72 orders: these two must agree at any size
    assert verdicts["max_ratio_over_tight"] == "agree" and verdicts["min_log10_M_over_ratio_R4"] == "agree"
    assert verdicts["median_x_ratio_n200_R4"] in ("agree", "DISAGREE")
    for name in ("figure.png", "figure.pdf", "rows.csv"):
        assert (target / name).stat().st_size > 0

    again = _attnlab("reproduce", FIG, "--set", "draws=20", "--set", "n_values=25,200", "--set", "R_values=4",
                     "--set", "seeds=0", cwd=tmp_path)
    assert "0 cells computed, 1 cached" in again.stdout

    page = _attnlab("report", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "results" / "report.html").read_text()
    assert FIG in html and "softmax_icl/gradient-formula" in html and "figure.png" in html
    md = (tmp_path / "results" / "report.md").read_text()
    assert "not run" in md  # claims never checked are listed
    assert "## Summary" in md and "## Contents" in md and "2 held, 0 failed" in md
