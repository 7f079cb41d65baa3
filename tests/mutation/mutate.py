r"""Mutation-testing gate for attnlab: plant one small bug at a time and see whether the tests notice.

Usage (from the repository root; the worktree is never modified)::

    .venv/bin/python tests/mutation/mutate.py                      # the default modules, then the report
    .venv/bin/python tests/mutation/mutate.py theory/_tolerances.py --limit 20 --timeout 120
    .venv/bin/python tests/mutation/mutate.py --report-only        # rewrite REPORT.md from the cache
    .venv/bin/python tests/mutation/mutate.py proofs_checks/tf_svm/svm_structure.py --budget 1800
    .venv/bin/python -m pytest -m slow tests/mutation               # the harness end to end on two mutants

``--budget`` stops starting mutants after that many seconds; a rerun continues from the cache. POSIX only
(it forks).

What it does, per module (a ``.py`` file below ``theory/`` or ``proofs_checks/``):

1. Copies the repository (source layers, tests, ``pyproject.toml``, ``CLAIMS.md``) into a temporary
   directory and makes ``attnlab`` importable from the copy (``<tmp>/pkg/attnlab/<layer>`` links to
   ``<tmp>/repo/<layer>``, first on ``sys.path`` and ``PYTHONPATH``).
2. Selects the default-tier test files that import the module (``imports.py``: the static import graph).
   *Direct* files reach it through plain imports; files that reach it only through package discovery
   (``test_every_claim``, ``test_every_figure``, ...) run with ``-k <papers>``, the papers whose claim modules
   import it. ``test_every_claim`` runs each claim at ``PAPER.test_budget`` (the CI budget), seed 0: the same
   records as ``attnlab check <paper> --budget <test_budget>``, plus the negative controls.
3. Runs those tests once on the unmutated copy (a test file that fails there is left out and reported).
4. For each mutant (``operators.py``): writes it into the copy and runs the selected tests in a fresh process
   (``pytest -x``, fastest direct file first, then the discovered files; the CI Hypothesis profile, which is
   derandomised). With ``--with-check`` a survivor also meets ``attnlab check <paper> --budget <test_budget>``
   (off by default: ``test_every_claim`` already computes those records). Killed = a test failed or errored
   (or ``check`` exited nonzero); ``timeout`` = a stage ran past its limit, 3 x its time on the unmutated
   copy + 20 s and at most ``--timeout`` (counted as killed, listed apart); survived = everything passed.
5. Caches each result in ``tests/mutation/cache.json`` keyed by (file content hash, mutant id); a survivor is
   rerun when the selected tests change (their content hash is part of its entry), unless ``survivors.toml``
   classifies it ``equivalent`` (then no test can kill it), so reruns are incremental.
6. Writes ``tests/mutation/REPORT.md``: per module killed / timeout / survived / equivalent, the kill rate over
   non-equivalent mutants, and every survivor with its classification from ``tests/mutation/survivors.toml``
   (``equivalent``: no input can tell it apart; ``gap``: a real hole in the tests; ``accepted``: a real
   change the tests are not meant to catch, with why).

Fresh process: the parent imports the heavy third-party libraries (numpy, scipy, sympy, cvxpy, hypothesis,
pytest) once and *forks* one child per mutant; the child has never imported ``attnlab``, so it imports the
mutated copy. One child at a time (the machine is shared). ``OMP_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from imports import LAYERS, ImportGraph, module_name  # noqa: E402
from operators import Mutant, mutants_of  # noqa: E402

REPO = HERE.parents[1]
CACHE = HERE / "cache.json"
SURVIVORS = HERE / "survivors.toml"
REPORT = HERE / "REPORT.md"
TEST_DIRS = ("tests/unit", "tests/checks", "tests/integration")
DEFAULT_MODULES = (
    "theory/softmax_icl/softmax_regression.py",
    "theory/tf_svm/attention_model.py",
    "theory/tf_svm/attention_loss.py",
    "theory/_tolerances.py",
)
TIMEOUT_FACTOR, TIMEOUT_SLACK_S = 3.0, 20.0  # per-stage mutant limit: 3 x the unmutated time + 20 s
_PREIMPORT = ("numpy", "scipy.linalg", "scipy.optimize", "scipy.special", "sympy", "mpmath", "cvxpy",
              "hypothesis", "hypothesis.extra.numpy", "pytest", "matplotlib")


def _sha(*texts: str) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------------------------- workspace
class Workspace:
    """A temporary copy of the repository that ``attnlab`` is imported from."""

    def __init__(self, repo: Path = REPO):
        self.tmp = Path(tempfile.mkdtemp(prefix="attnlab-mutation-"))
        self.repo = self.tmp / "repo"
        self.pkg = self.tmp / "pkg"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "results", "cache.json")
        for layer in (*LAYERS, "tests"):
            shutil.copytree(repo / layer, self.repo / layer, ignore=ignore)
        for name in ("pyproject.toml", "CLAIMS.md", "README.md", "setup.py"):
            if (repo / name).exists():
                shutil.copy2(repo / name, self.repo / name)
        (self.pkg / "attnlab").mkdir(parents=True)
        for layer in LAYERS:
            (self.pkg / "attnlab" / layer).symlink_to(self.repo / layer, target_is_directory=True)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, rel: str, text: str) -> None:
        path = self.repo / rel
        path.write_text(text)
        for pyc in (path.parent / "__pycache__").glob(path.stem + ".*.pyc"):
            pyc.unlink()


# --------------------------------------------------------------------------------------------- child runs
@dataclass
class RunResult:
    code: int
    seconds: float
    timed_out: bool
    log: str


def _child(ws: Workspace, log: Path, what: str, args: list[str]) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 99
    try:
        os.setpgid(0, 0)
        for name in [k for k in sys.modules if k == "attnlab" or k.startswith("attnlab.")]:
            del sys.modules[name]  # the parent never imports attnlab; this makes sure
        os.chdir(ws.repo)
        sys.path.insert(0, str(ws.pkg))
        os.environ["PYTHONPATH"] = str(ws.pkg)
        sys.dont_write_bytecode = True
        if what == "pytest":
            import pytest

            code = int(pytest.main(args))
        elif what == "check":
            from attnlab.experiments.cli import main

            code = int(main(args) or 0)
        elif what == "sanity":
            import attnlab.theory

            where = Path(attnlab.theory.__file__)
            code = 0 if str(where).startswith(str(ws.tmp)) else 98
            print(f"attnlab.theory imported from {where}")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - a crash of the mutant is a kill; log it
        import traceback

        traceback.print_exc()
        code = 97
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_forked(ws: Workspace, what: str, args: list[str], timeout: float) -> RunResult:
    """Run ``what`` (pytest / check / sanity) in a forked child on the workspace; kill it after ``timeout``."""
    log = ws.tmp / "child.log"
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(ws, log, what, args)
    timed_out = False
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - t0 > timeout:
                timed_out = True
                _kill(pid)
                _, status = os.waitpid(pid, 0)
                break
            time.sleep(0.05)
    except BaseException:  # interrupted (SIGTERM/SIGINT): take the child and its group down too
        _kill(pid)
        os.waitpid(pid, 0)
        raise
    code = os.waitstatus_to_exitcode(status)
    return RunResult(code=code, seconds=time.monotonic() - t0, timed_out=timed_out,
                     log=log.read_text(errors="replace") if log.exists() else "")


def _kill(pid: int) -> None:
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _first_failure(log: str) -> str:
    m = re.search(r"^(FAILED|ERROR) (\S+)", log, re.M)
    if m:
        return m.group(2)
    tb = [ln for ln in log.splitlines() if ln.strip()]
    return tb[-1][:160] if tb else ""


# --------------------------------------------------------------------------------------------- selection
@dataclass
class Plan:
    """What runs against the mutants of one module.

    ``direct``: test files whose imports reach the module without package discovery (each file timed on the
    unmutated copy, run fastest first). ``discovered``: the files that reach it only through discovery
    (``test_every_claim``, ``test_every_figure``, ...), run with ``-k`` restricted to ``papers``, the papers
    whose own modules reach it; ``papers`` maps each to its CI budget (``PAPER.test_budget``).
    """

    rel: str
    direct: list[str]
    discovered: list[str]
    papers: dict[str, int]
    broken: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def keyword(self) -> str:
        return " or ".join(sorted(self.papers))

    def stages(self) -> list[list[str]]:
        out = [_pytest_args(self.direct)] if self.direct else []
        if self.discovered and self.papers:
            out.append(_pytest_args(self.discovered, self.keyword))
        return out

    def stage_timeouts(self, cap: float) -> list[float]:
        """Per-stage limit: ``TIMEOUT_FACTOR`` x the stage's unmutated time + ``TIMEOUT_SLACK_S``, at most ``cap``.

        A mutant that turns a loop infinite (a flipped stopping test, a step of 0) then costs a few times the
        stage, not the whole ``--timeout``; a stage not timed (no baseline) gets ``cap``.
        """
        out = []
        if self.direct:
            known = [self.seconds[t] for t in self.direct if t in self.seconds]
            out.append(min(cap, TIMEOUT_FACTOR * sum(known) + TIMEOUT_SLACK_S) if len(known) == len(self.direct)
                       else cap)
        if self.discovered and self.papers:
            t = self.seconds.get("discovered")
            out.append(cap if t is None else min(cap, TIMEOUT_FACTOR * t + TIMEOUT_SLACK_S))
        return out

    def tests_hash(self, repo: Path) -> str:
        texts = [(repo / t).read_text() for t in sorted(self.direct + self.discovered)]
        return _sha(*texts, (repo / "tests/conftest.py").read_text(), json.dumps(self.papers, sort_keys=True))


def _test_files(repo: Path) -> list[Path]:
    return sorted(p for d in TEST_DIRS for p in (repo / d).rglob("test_*.py"))


def _paper_budgets(graph: ImportGraph, repo: Path, mod: str) -> dict[str, int]:
    """The papers whose claim modules import ``mod`` (``graph`` without discovery), with their CI budgets."""
    out = {}
    for paper_dir in sorted(p for p in (repo / "proofs_checks").iterdir() if (p / "__init__.py").exists()):
        below = {m for m in graph.files if m.startswith(module_name(repo, paper_dir / "__init__.py"))}
        if mod in graph.closure(below):
            m = re.search(r"test_budget\s*=\s*(\d+)", (paper_dir / "__init__.py").read_text())
            out[paper_dir.name] = int(m.group(1)) if m else 20
    return out


def plan_for(repo: Path, rel: str) -> Plan:
    mod = module_name(repo, repo / rel)
    plain, full = ImportGraph(repo, discovery=False), ImportGraph(repo)
    files = _test_files(repo)
    direct = [str(p.relative_to(repo)) for p in files if mod in plain.imports_of_file(p)]
    discovered = [str(p.relative_to(repo)) for p in files
                  if str(p.relative_to(repo)) not in direct and mod in full.imports_of_file(p)]
    return Plan(rel=rel, direct=direct, discovered=discovered, papers=_paper_budgets(plain, repo, mod))


def _pytest_args(files: list[str], keyword: str | None = None) -> list[str]:
    k = ["-k", keyword] if keyword else []
    return ["-x", "-q", "-rf", "-p", "no:cacheprovider", "-o", "addopts=", "-m", "not slow and not gpu",
            "-W", "ignore::pytest.PytestAssertRewriteWarning", *k, *files]


def baseline(ws: Workspace, plan: Plan, timeout: float, cache: dict) -> None:
    """Time each direct test file (and the discovered stage) on the unmutated copy; drop what fails there."""
    key = _sha((ws.repo / plan.rel).read_text(), plan.tests_hash(ws.repo))
    cached = cache.setdefault("_baseline", {}).get(plan.rel, {})
    if cached.get("key") == key:
        plan.seconds, plan.broken = cached["seconds"], cached["broken"]
    else:
        runs = [([t], None) for t in plan.direct]
        if plan.discovered and plan.papers:
            runs.append((plan.discovered, plan.keyword))
        for files, kw in runs:
            r = run_forked(ws, "pytest", _pytest_args(files, kw), timeout)
            name = files[0] if kw is None else "discovered"
            if r.code not in (0, 5):  # 5: nothing collected after -k
                plan.broken.extend(files)
                print(f"  baseline: {name} fails on the unmutated copy (code {r.code}); left out", flush=True)
                print("    " + "\n    ".join(r.log.splitlines()[-15:]), flush=True)
            plan.seconds[name] = round(r.seconds, 2)
        cache["_baseline"][plan.rel] = {"key": key, "seconds": plan.seconds, "broken": plan.broken}
    plan.direct = sorted((t for t in plan.direct if t not in plan.broken), key=lambda t: plan.seconds.get(t, 1e9))
    plan.discovered = [t for t in plan.discovered if t not in plan.broken]


# --------------------------------------------------------------------------------------------- mutants
def run_mutant(ws: Workspace, plan: Plan, source: str, m: Mutant, timeout: float, with_check: bool) -> dict:
    ws.write(plan.rel, m.apply(source))
    t0 = time.monotonic()

    def done(status: str, by: str) -> dict:
        return {"status": status, "by": by, "seconds": round(time.monotonic() - t0, 1)}

    try:
        for args, limit in zip(plan.stages(), plan.stage_timeouts(timeout), strict=True):
            r = run_forked(ws, "pytest", args, limit)
            if r.timed_out:
                return done("timeout", "pytest " + " ".join(a for a in args if a.startswith("tests/")))
            if r.code not in (0, 5):
                return done("killed", _first_failure(r.log))
        for paper, budget in (plan.papers.items() if with_check else ()):
            r = run_forked(ws, "check", ["check", paper, "--budget", str(budget)], timeout)
            if r.timed_out:
                return done("timeout", f"attnlab check {paper}")
            if r.code != 0:
                return done("killed", f"attnlab check {paper} --budget {budget} (exit {r.code})")
        return done("survived", "")
    finally:
        ws.write(plan.rel, source)


def load_cache(path: Path) -> dict:
    cache = json.loads(path.read_text()) if path.exists() else {}
    cache["_path"] = str(path)
    return cache


def save_cache(cache: dict) -> None:
    data = {k: v for k, v in cache.items() if k != "_path"}
    Path(cache["_path"]).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def mutate_module(ws: Workspace, rel: str, cache: dict, *, timeout: float, limit: int | None,
                  budget_s: float | None, t_start: float, with_check: bool) -> None:
    source = (ws.repo / rel).read_text()
    file_hash = _sha(source)
    plan = plan_for(ws.repo, rel)
    print(f"{rel}: direct tests {plan.direct}; discovered {plan.discovered} -k {plan.keyword!r}", flush=True)
    thash = plan.tests_hash(ws.repo)
    entry = cache.setdefault(rel, {})
    if entry.get("hash") != file_hash:
        entry.clear()
        entry.update({"hash": file_hash, "mutants": {}})
    entry["tests"] = plan.direct + [f"{t} -k '{plan.keyword}'" for t in plan.discovered]
    entry["with_check"] = with_check
    entry["broken_tests"] = plan.broken
    entry["papers"] = plan.papers
    mutants = mutants_of(source)
    entry["total"] = len(mutants)
    results = entry["mutants"]
    equivalent = {k for k, c in _classifications().get(rel, {}).items() if c.get("class") == "equivalent"}
    todo = [m for m in mutants if not _fresh(results.get(m.id), thash, m.id in equivalent)]
    if limit is not None:
        todo = todo[:limit]
    if budget_s is not None and time.monotonic() - t_start > budget_s:
        todo = []
    print(f"  {len(mutants)} mutants, {len(todo)} to run", flush=True)
    if todo:
        baseline(ws, plan, timeout, cache)
        entry["tests"] = plan.direct + [f"{t} -k '{plan.keyword}'" for t in plan.discovered]
        entry["broken_tests"] = plan.broken
    per_run = timeout
    for i, m in enumerate(todo):
        if budget_s is not None and time.monotonic() - t_start > budget_s:
            print("  time budget spent; stopping (rerun continues from the cache)", flush=True)
            break
        res = run_mutant(ws, plan, source, m, per_run, with_check)
        res.update({"tests_hash": thash, "line": m.line, "operator": m.operator, "description": m.description})
        results[m.id] = res
        print(f"  [{i + 1}/{len(todo)}] {res['status']:8s} {res['seconds']:6.1f}s {m.id}  {m.description}",
              flush=True)
        save_cache(cache)
    known = {m.id for m in mutants}
    for stale in set(results) - known:
        del results[stale]
    save_cache(cache)


def _fresh(res: dict | None, thash: str, equivalent: bool = False) -> bool:
    """A cached result stands: a kill always (for this file hash), a survivor while the selected tests are
    unchanged, or for good when ``survivors.toml`` classifies it equivalent (no test can kill it)."""
    if res is None:
        return False
    if res["status"] in ("killed", "timeout") or res.get("tests_hash") == thash:
        return True
    return res["status"] == "survived" and equivalent


# --------------------------------------------------------------------------------------------- report
def _classifications() -> dict:
    return tomllib.loads(SURVIVORS.read_text()) if SURVIVORS.exists() else {}


def write_report(cache: dict, path: Path = REPORT) -> str:
    classes = _classifications()
    rows, sections = [], []
    for rel in sorted(k for k in cache if not k.startswith("_") and "mutants" in cache[k]):
        entry = cache[rel]
        res = entry["mutants"]
        cls = classes.get(rel, {})
        counts = {s: sum(r["status"] == s for r in res.values()) for s in ("killed", "timeout", "survived")}
        surv = {k: r for k, r in res.items() if r["status"] == "survived"}
        equiv = sum(cls.get(k, {}).get("class") == "equivalent" for k in surv)
        denom = len(res) - equiv
        rate = (counts["killed"] + counts["timeout"]) / denom if denom else float("nan")
        current = (REPO / rel).exists() and _sha((REPO / rel).read_text()) == entry["hash"]
        rows.append(f"| `{rel}` | {len(res)}/{entry['total']} | {counts['killed']} | {counts['timeout']} | "
                    f"{counts['survived']} | {equiv} | {rate:.1%} | {'yes' if current else '**no**'} |")
        lines = [f"### `{rel}`", "",
                 f"Tests run against its mutants: {', '.join(f'`{t}`' for t in entry['tests']) or 'none'}; "
                 f"Claims of: {', '.join(f'{p} (budget {b})' for p, b in entry['papers'].items()) or 'no paper'}"
                 f"{' (also through `attnlab check`)' if entry.get('with_check') else ''}.",
                 ""]
        note = classes.get("notes", {}).get(rel)
        if note:
            lines += [" ".join(note.split()), ""]
        if entry.get("broken_tests"):
            lines += [f"Left out (fail on the unmutated copy): {', '.join(entry['broken_tests'])}.", ""]
        if surv:
            lines += ["| mutant | change | class | why |", "|---|---|---|---|"]
            for k, r in sorted(surv.items(), key=lambda kv: kv[1]["line"]):
                c = cls.get(k, {})
                desc = r["description"].replace("|", "\\|")
                why = c.get("why", "not yet classified").replace("|", "\\|")
                lines.append(f"| `{k}` | {desc} | {c.get('class', '?')} | {why} |")
        else:
            lines.append("No survivors.")
        sections.append("\n".join(lines))
    text = "\n".join([
        "# Mutation-testing report",
        "",
        "Generated by `tests/mutation/mutate.py` (read its docstring for the method); survivor classifications",
        "come from `tests/mutation/survivors.toml`. Kill rate = (killed + timeout) / (run - equivalent).",
        "A mutant counts as killed when a default-tier test that imports its module fails (or errors, or the run",
        "times out). The claims of every paper whose checks import the module run through",
        "`tests/checks/test_every_claim.py -k <paper>` at `PAPER.test_budget`, seed 0: the records",
        "`attnlab check <paper> --budget <PAPER.test_budget>` computes, plus each claim's negative control;",
        "`--with-check` also runs the CLI itself on survivors.",
        "",
        "Rerun from the repository root (not part of the default test run): `.venv/bin/python tests/mutation/mutate.py",
        "<module.py ...> --budget <seconds>`; results are cached in `tests/mutation/cache.json` by file content, so a",
        "rerun only runs new mutants and survivors whose tests changed; `--report-only` rewrites this file.",
        "",
        " ".join(classes.get("notes", {}).get("_all", "").split()),
        "",
        "`current`: the file in the worktree is the one measured (same content hash); **no** means it changed",
        "since, and the row describes the older version until the module is run again.",
        "",
        "| module | run/total | killed | timeout | survived | equivalent | kill rate | current |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        *[s + "\n" for s in sections],
    ])
    path.write_text(text)
    return text


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES), help="paths relative to the repo root")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per child run (default 300)")
    p.add_argument("--limit", type=int, default=None, help="at most this many new mutants per module")
    p.add_argument("--budget", type=float, default=None, help="stop starting mutants after this many seconds")
    p.add_argument("--with-check", action="store_true",
                   help="also run `attnlab check <paper> --budget <test_budget>` on survivors (subsumed by "
                        "tests/checks/test_every_claim.py at the same budget and seed, so off by default)")
    p.add_argument("--cache", type=Path, default=CACHE, help=f"results cache (default {CACHE.relative_to(REPO)})")
    p.add_argument("--report", type=Path, default=REPORT, help=f"report path (default {REPORT.relative_to(REPO)})")
    p.add_argument("--report-only", action="store_true", help="only rewrite REPORT.md from the cache")
    p.add_argument("--list", action="store_true", help="print the mutants and the plan, run nothing")
    args = p.parse_args(argv)

    cache = load_cache(args.cache)
    if args.report_only:
        write_report(cache, args.report)
        return 0
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["CI"] = "true"  # Hypothesis' derandomised ci profile, as CI runs the tests
    os.environ["ATTNLAB_PROGRESS"] = "0"
    os.environ["MPLBACKEND"] = "Agg"
    if args.list:
        for rel in args.modules:
            plan = plan_for(REPO, rel)
            print(rel, "direct:", plan.direct, "discovered:", plan.discovered, "-k", repr(plan.keyword))
            for mu in mutants_of((REPO / rel).read_text()):
                print("  ", mu.id, mu.description)
        return 0
    import importlib

    for name in _PREIMPORT:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM unwinds like Ctrl-C
    ws = Workspace()
    try:
        sanity = run_forked(ws, "sanity", [], 120)
        if sanity.code != 0:
            print(sanity.log)
            raise SystemExit("the copy is not what attnlab imports; refusing to run")
        t_start = time.monotonic()
        for rel in args.modules:
            mutate_module(ws, rel, cache, timeout=args.timeout, limit=args.limit, budget_s=args.budget,
                          t_start=t_start, with_check=args.with_check)
    finally:
        ws.close()
    write_report(cache, args.report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
