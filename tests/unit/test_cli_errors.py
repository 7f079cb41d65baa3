"""User errors exit 2 with one clear line and no traceback; check exits 1 only on a failed claim."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from attnlab.experiments import checking
from attnlab.experiments.cli import main
from attnlab.proofs_checks.record import ClaimCheck, Status


def _cli(*args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "attnlab.experiments.cli", *args], capture_output=True, text=True,
                          cwd=tmp_path, env={"ATTNLAB_PROGRESS": "0", "PATH": "/usr/bin:/bin"})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "no_such_paper"], "valid claim selectors: all, "),
        (["check", "*no-such-thing*"], "shell-style glob"),
        (["reproduce", "no/such-figure"], "valid figure selectors: all, "),
        (["all", "nothing*"], "valid selectors: all, "),
        (["reproduce", "softmax_icl/lipschitz-ratio-vs-n", "--set", "draws=-1"], "draws must be >= 1"),
        (["reproduce", "softmax_icl/lipschitz-ratio-vs-n", "--set", "bogus=1"], "valid fields"),
        (["reproduce", "softmax_icl/lipschitz-ratio-vs-n", "--set", "novalue"], "must be key=value"),
        (["reproduce", "softmax_icl/lipschitz-ratio-vs-n", "--device", "tpu"], "valid: auto, cpu, cuda"),
        (["check", "--budget", "0"], "positive integer"),
    ],
)
def test_user_error_exits_2_with_a_message_and_no_traceback(args, needle, tmp_path):
    code, _out, err = _cli(*args, tmp_path=tmp_path)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    assert not (tmp_path / "results" / "attnlab.sqlite").exists() or "reproduce" in args


def test_check_exits_1_when_a_claim_fails_and_records_the_instance(tmp_path, monkeypatch):
    failed = ClaimCheck("p/c", "p", "unverified", Status.FAILED, 2.0, 1.0, -1.0, {}, 3, 3, {"x": [1.0]}, 0, 0.0)

    class Fake:
        def run(self, budget):
            return failed

    monkeypatch.setattr(checking, "select_claims", lambda sel: [Fake()])
    assert main(["check", "--out", str(tmp_path), "--json", str(tmp_path / "c.json")]) == 1
    rec = json.loads((tmp_path / "c.json").read_text())["p/c"]
    assert rec["status"] == "failed" and rec["worst_instance"] == {"x": [1.0]}


def test_list_json_names_every_claim_and_figure(tmp_path, capsys):
    assert main(["list", "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"papers", "claims", "figures"} <= set(data)
    assert any(f["id"] == "softmax_icl/lipschitz-ratio-vs-n" for f in data["figures"])
