"""User errors exit 2 with one clear line and no traceback, found before anything is computed, with no
file modified and no directory created; check exits 1 only on a failed claim.

The corpus of issue 8 is covered case by case below (in process, so the suite stays fast), plus a few
cases in a subprocess for the exit code and the absence of a traceback as a user sees them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from attnlab.experiments import checking, cli, reproduce
from attnlab.experiments.cli import main
from attnlab.experiments.store import ResultStore
from attnlab.proofs_checks.record import ClaimCheck, Status
from attnlab.theory.errors import PathError

FIG = "softmax_icl/lipschitz-ratio-vs-n"


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


def test_check_exits_1_on_a_claim_that_tested_nothing_unless_inconclusive_is_allowed(tmp_path, monkeypatch, capsys):
    nothing = ClaimCheck("p/c", "p", "unverified", Status.INCONCLUSIVE, None, None, None, {}, 5, 0, None, 0, 0.0,
                         reasons=("hypothesis unmet (5 instances)",))

    class Fake:
        def run(self, budget):
            return nothing

    monkeypatch.setattr(checking, "select_claims", lambda sel: [Fake()])
    assert main(["check", "--out", str(tmp_path)]) == 1
    assert "inconclusive p/c" in capsys.readouterr().out
    assert main(["check", "--out", str(tmp_path), "--allow-inconclusive"]) == 0


def test_list_json_names_every_claim_and_figure(tmp_path, capsys):
    assert main(["list", "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"papers", "claims", "figures"} <= set(data)
    assert any(f["id"] == "softmax_icl/lipschitz-ratio-vs-n" for f in data["figures"])


@pytest.fixture
def no_work(monkeypatch, tmp_path):
    """Run in an empty directory; fail the test if a claim or a figure is computed."""
    monkeypatch.chdir(tmp_path)

    class Forbidden:
        def run(self, budget):
            raise AssertionError("a claim was computed before the input was checked")

    def forbidden_reproduce(*args, **kwargs):
        raise AssertionError("a figure was computed before the input was checked")

    monkeypatch.setattr(checking, "select_claims", lambda sel: [Forbidden()])
    monkeypatch.setattr(reproduce, "reproduce_figure", forbidden_reproduce)
    return tmp_path


def _user_error(args, capsys, needle) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert needle in err
    assert err.startswith("attnlab") and err.strip().count("\n") == 0, f"not one line:\n{err}"
    return err


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    ("args", "needle", "never"),
    [
        (["check", "--json", "/nonexistent-dir/x/y.json"], "/nonexistent-dir does not exist", "/nonexistent-dir"),
        (["reproduce", FIG, "--store", "/nonexistent-dir/a/b.sqlite"], "/nonexistent-dir does not exist",
         "/nonexistent-dir"),
        (["reproduce", FIG, "--out", "/proc/forbidden/out"], "/proc/forbidden does not exist", "/proc/forbidden"),
        (["report", "--out", "/proc/forbidden"], "cannot create", "/proc/forbidden"),
        (["all", "--out", "/nonexistent-dir/out"], "/nonexistent-dir does not exist", "/nonexistent-dir"),
        (["bench", "--out", "/nonexistent-dir/out"], "/nonexistent-dir does not exist", "/nonexistent-dir"),
    ],
)
def test_a_path_under_a_missing_or_forbidden_directory_is_refused_and_nothing_is_created(args, needle, never,
                                                                                        no_work, capsys):
    _user_error(args, capsys, needle)
    assert not Path(never).exists()
    assert _tree(no_work) == []


@pytest.mark.parametrize("store", ["/sys/attnlab.sqlite", "/proc/attnlab.sqlite"])
def test_a_store_where_no_file_can_be_created_is_refused(store, no_work, capsys):
    _user_error(["reproduce", FIG, "--store", store], capsys, "cannot create the store")
    assert not Path(store).exists() and _tree(no_work) == []


def test_a_directory_as_the_store_is_refused(no_work, capsys):
    (no_work / "d").mkdir()
    _user_error(["reproduce", FIG, "--store", str(no_work / "d")], capsys, "is a directory")
    assert _tree(no_work) == ["d"]


def test_a_store_that_is_not_a_database_is_refused_and_left_unmodified(no_work, capsys):
    bad = no_work / "notes.sqlite"
    bad.write_bytes(b"my notes, not a database\n")
    _user_error(["reproduce", FIG, "--store", str(bad)], capsys, "not a SQLite database")
    assert bad.read_bytes() == b"my notes, not a database\n" and _tree(no_work) == ["notes.sqlite"]


def test_a_foreign_sqlite_database_is_refused_as_a_store_and_left_unmodified(no_work, capsys):
    db = no_work / "other.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE mine (x)")
    con.close()
    before = db.read_bytes()
    _user_error(["reproduce", FIG, "--store", str(db)], capsys, "not an attnlab store")
    assert db.read_bytes() == before and _tree(no_work) == ["other.sqlite"]
    with pytest.raises(PathError, match="not an attnlab store"):
        ResultStore(db)
    assert db.read_bytes() == before


def test_an_absurd_budget_is_refused_at_once(no_work, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", "--budget", "99999999999999999999999"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "at most 100000" in err and err.strip().count("\n") == 0


def test_a_negative_search_seed_is_refused(no_work, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", "--seed", "-1"])
    assert stop.value.code == 2 and "integer seed in [0," in capsys.readouterr().err


def test_check_json_naming_a_directory_is_refused(no_work, capsys):
    (no_work / "d").mkdir()
    _user_error(["check", "--json", str(no_work / "d")], capsys, "is a directory")


@pytest.mark.parametrize("command", [["check"], ["reproduce", FIG], ["report"], ["all"], ["bench"]])
def test_out_naming_a_file_is_refused(command, no_work, capsys):
    (no_work / "f").write_text("x")
    _user_error([*command, "--out", str(no_work / "f")], capsys, "is a file, not a directory")
    assert (no_work / "f").read_text() == "x" and _tree(no_work) == ["f"]


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["report"], ["check"], ["all"]])
@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_a_corrupt_claims_file_under_out_is_named_and_left_untouched(command, content, no_work, capsys):
    out = no_work / "o"
    out.mkdir()
    (out / "claims.json").write_text(content)
    _user_error([*command, "--out", str(out)], capsys, "claims.json is not a")
    assert (out / "claims.json").read_text() == content and _tree(no_work) == ["o", "o/claims.json"]


def test_a_corrupt_figure_summary_stops_the_report_before_writing(no_work, capsys):
    target = no_work / "o" / "figures" / "x"
    target.mkdir(parents=True)
    (target / "summary.json").write_text("{")
    _user_error(["report", "--out", str(no_work / "o")], capsys, "not a readable figure summary")
    assert not (no_work / "o" / "report.html").exists()


@pytest.mark.parametrize("figure", ["tf_svm/local-convergence", "tf_svm/mmts-joint-training", FIG])
def test_a_negative_seed_is_refused_for_every_figure(figure, no_work, capsys):
    _user_error(["reproduce", figure, "--set", "seeds=-1"], capsys, "seeds must be integers in [0,")
    assert _tree(no_work) == []


def test_a_repeated_seed_is_refused_instead_of_computing_the_cell_twice(no_work, capsys):
    _user_error(["reproduce", FIG, "--set", "seeds=0,1,0"], capsys, "seeds must be distinct")
    assert _tree(no_work) == []


def test_all_refuses_a_selector_that_matches_nothing_before_any_work(no_work, capsys):
    _user_error(["all", "softmax_icl/no-such-claim"], capsys, "unknown selector")
    assert _tree(no_work) == []


def test_all_with_a_claim_id_selects_that_claim_and_no_figure():
    claims, figures = cli._select_everything(["softmax_icl/gradient-formula"])
    assert claims == ["softmax_icl/gradient-formula"] and figures == []


def test_check_creates_only_the_out_directory_it_was_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok = ClaimCheck("p/c", "p", "unverified", Status.EMPIRICAL_HOLDS, 1.0, 2.0, 1.0, {}, 3, 3, {}, 0, 0.0)

    class Fake:
        def run(self, budget):
            return ok

    monkeypatch.setattr(checking, "select_claims", lambda sel: [Fake()])
    assert main(["check", "--out", "new"]) == 0
    assert _tree(tmp_path) == ["new", "new/claims.json"]


@pytest.mark.parametrize(
    "args",
    [["check", "--json", "/nonexistent-dir/x/y.json"], ["reproduce", FIG, "--set", "seeds=0,0"],
     ["check", "--budget", "99999999999999999999999"]],
)
def test_user_errors_seen_from_a_shell_are_one_line_exit_2(args, tmp_path):
    code, _out, err = _cli(*args, tmp_path=tmp_path)
    assert code == 2 and "Traceback" not in err and err.strip().count("\n") == 0, err
    assert _tree(tmp_path) == []
