r"""The ``attnlab`` command line: all, list, check, reproduce, report, bench.

User errors (unknown id, bad override, bad value, bad path, missing optional dependency) print one line
``attnlab: error: ...`` naming what is valid and exit 2, and every one of them is found before anything
is computed; ``check`` exits 1 when a claim failed; Ctrl-C exits 130 and keeps what finished.

At load time this module imports only the standard library, :mod:`attnlab.theory.errors` and
:mod:`attnlab.experiments.config` (itself standard library only), so ``attnlab --help`` answers without
loading numpy, torch, cvxpy or matplotlib; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from attnlab.experiments.config import MAX_SEED
from attnlab.theory.errors import ConfigError, UserError

__all__ = ["main", "build_parser", "MAX_BUDGET"]

MAX_BUDGET = 100_000  # instances per claim; 200 takes seconds per claim, this bound hours

PATHS_HELP = """\
paths: --out DIR may exist (a writable directory) or be new; attnlab creates the directory you name and
what lies below it, never a missing parent (create that yourself). --store FILE must be an attnlab
SQLite store or a new file in an existing directory; any other file is refused and left untouched.
Every path is checked before anything is computed. Ctrl-C stops any command with exit 130 and keeps
the finished claims and cells (a rerun resumes). Exit codes: 0 ok, 1 a claim failed, 2 a user error."""


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs or []:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {p!r} must be key=value, e.g. --set steps=100")
        out[key.strip()] = value.strip()
    return out


def _int_in(lo: int, hi: int | None, what: str):
    """An argparse type: an integer in [lo, hi]."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"expected {what}, got {v}")
        return v

    return parse


_positive_int = _int_in(1, None, "a positive integer")
_budget = _int_in(1, MAX_BUDGET, f"a positive integer at most {MAX_BUDGET} (instances per claim)")
_seed = _int_in(0, MAX_SEED, f"an integer seed in [0, {MAX_SEED}]")


class _Parser(argparse.ArgumentParser):
    """argparse with one error line (no usage dump): ``attnlab check: error: ...; see attnlab check --help``."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see {self.prog} --help\n")


_WITH_PATHS_HELP = {"epilog": PATHS_HELP, "formatter_class": argparse.RawDescriptionHelpFormatter}


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="attnlab", description="Executable checks of transformer-theory papers.", epilog=PATHS_HELP,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("list", help="papers, claims and figures with ids; with figure ids, their config keys")
    s.add_argument("figures", nargs="*",
                   help="figure ids or globs: show each figure's --set keys with types, defaults and presets")
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable")
    fmt.add_argument("--markdown", action="store_true", help="the CLAIMS.md document")
    s.add_argument("--out", help="results directory whose claims.json gives last statuses (default results/)")

    s = sub.add_parser("check", help="run claim checks; exit 1 if a claim failed or tested nothing (inconclusive)", **_WITH_PATHS_HELP)
    s.add_argument("selectors", nargs="*", help="paper keys, claim ids or shell-style globs such as '*lipschitz*' (default: all)")
    s.add_argument("--budget", type=_budget, default=200, help=f"instances per claim, 1 to {MAX_BUDGET} (default 200)")
    s.add_argument("--seed", type=_seed, default=0, help="seed of the instance search, >= 0 (default 0)")
    s.add_argument("--json", dest="json_path",
                   help="also write the records to this JSON file (its directory must exist)")
    s.add_argument("--out", help="results directory; records are merged into <out>/claims.json")
    s.add_argument("--allow-inconclusive", action="store_true",
                   help="exit 0 when a claim found no applicable instance (default: exit 1, it tested nothing)")

    s = sub.add_parser("reproduce", help="run a figure's sweep and compare with the paper", **_WITH_PATHS_HELP)
    s.add_argument("figures", nargs="+", help="figure ids or paper keys ('all' for every figure)")
    s.add_argument("--scale", choices=("smoke", "medium", "paper"), default="smoke")
    s.add_argument("--executor", choices=("serial", "process", "slurm"), default="serial")
    s.add_argument("--workers", type=_positive_int, default=None, help="processes for --executor process")
    s.add_argument("--partition", default=None, help="Slurm partition for --executor slurm")
    s.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps (default: ATTNLAB_DEVICE, else cuda if available, else cpu)")
    s.add_argument("--out", help="results directory (default results/)")
    s.add_argument("--store", help="SQLite store (default $ATTNLAB_STORE, else <out>/attnlab.sqlite)")
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set steps=200 --set seeds=0,1 (distinct, >= 0)")

    s = sub.add_parser("all", help="the main job: check the claims, reproduce the figures, write the report", **_WITH_PATHS_HELP)
    s.add_argument("selectors", nargs="*",
                   help="paper keys, ids or shell-style globs over claims and figures (default: everything)")
    s.add_argument("--scale", choices=("smoke", "medium", "paper"), default="smoke")
    s.add_argument("--budget", type=_budget, default=200, help=f"instances per claim, 1 to {MAX_BUDGET} (default 200)")
    s.add_argument("--allow-inconclusive", action="store_true",
                   help="exit 0 when a claim found no applicable instance (default: exit 1)")
    s.add_argument("--executor", choices=("serial", "process", "slurm"), default="serial")
    s.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps (default: auto)")
    s.add_argument("--out", help="results directory (default results/)")
    s.add_argument("--store", help="SQLite store (default $ATTNLAB_STORE, else <out>/attnlab.sqlite)")

    s = sub.add_parser("report", help="write report.html and report.md from stored artifacts", **_WITH_PATHS_HELP)
    s.add_argument("--out", help="results directory (default results/)")

    s = sub.add_parser("bench", help="speed benchmarks, reported as ratios against a baseline in the same run", **_WITH_PATHS_HELP)
    s.add_argument("names", nargs="*", help="benchmark names (default: all)")
    s.add_argument("--out", help="results directory; writes <out>/bench.json")
    return p


def _cmd_list(args) -> int:
    from attnlab.experiments.checking import read_claims_file
    from attnlab.experiments.paths import check_readable_dir, claims_json, default_out

    read_claims_file(claims_json(check_readable_dir(default_out(args.out))))
    from attnlab.experiments.listing import listing_json, listing_markdown, listing_text

    if getattr(args, "figures", None):
        from attnlab.experiments.figures import select_figures
        from attnlab.experiments.listing import figure_config_text

        sys.stdout.write("\n".join(figure_config_text(f) for f in select_figures(args.figures)))
        return 0

    if args.markdown:
        sys.stdout.write(listing_markdown())
    elif args.json:
        print(json.dumps(listing_json(args.out), indent=2))
    else:
        sys.stdout.write(listing_text(args.out))
    return 0


def _cmd_check(args) -> int:
    from attnlab.experiments.checking import run_checks

    return run_checks(args.selectors, args.budget, args.seed, args.json_path, args.out,
                      allow_inconclusive=getattr(args, "allow_inconclusive", False))


@dataclass(frozen=True)
class _ReproducePlan:
    """A reproduction with every input checked: figure ids, configs, device, paths, executor."""

    ids: list[str]
    scale: str
    overrides: dict[str, str]
    out: Path
    store: Path
    executor: object
    device: str | None = None  # validated; travels in each cell (never through the environment)


def _plan_reproduce(args) -> _ReproducePlan:
    """Check everything ``reproduce`` would use, computing nothing and creating nothing."""
    from attnlab.experiments.executors import make_executor
    from attnlab.experiments.figures import get_figure, select_figures
    from attnlab.experiments.paths import STORE_ENV, check_out_dir, default_out, default_store
    from attnlab.experiments.store import check_store_path
    from attnlab.gpu.device import device_name

    overrides = _overrides(args.overrides)
    ids = select_figures(args.figures)
    for fid in ids:  # validate every config before computing anything
        get_figure(fid).config_cls.preset(args.scale).with_overrides(overrides)
    if args.device:
        device_name(args.device)  # validate now: a clear error instead of a failure in a worker
    out = check_out_dir(default_out(args.out))
    store = default_store(args.store, args.out)
    if out.exists() or store.parent.absolute() != out.absolute():  # a new store in a new --out needs no check
        named_by = "--store" if args.store else f"${STORE_ENV}" if os.environ.get(STORE_ENV) else "store"
        check_store_path(store, named_by)
    executor = make_executor(args.executor, workers=args.workers, slurm_partition=args.partition,
                             slurm_folder=store.parent / "slurm-logs")
    return _ReproducePlan(ids, args.scale, overrides, out, store, executor, args.device)


def _run_reproduce(plan: _ReproducePlan) -> int:
    from attnlab.experiments.reproduce import reproduce_figure
    from attnlab.experiments.store import ResultStore

    plan.out.mkdir(exist_ok=True)
    with ResultStore(plan.store) as store:
        for fid in plan.ids:
            rep = reproduce_figure(fid, plan.scale, plan.overrides, store, plan.executor, plan.out, device=plan.device)
            print(f"{fid}: {rep.computed} cells computed, {rep.skipped} cached -> {rep.out_dir}")
            for q in rep.comparisons:
                ours = "-" if q["ours"] is None else f"{q['ours']:.4g}"
                print(f"  {q['quantity']:<34} ours {ours:>10}  paper {q['relation']} {q['paper']!s:<8} "
                      f"tol {q['tolerance']:<6g} {q['verdict']} [{q['provenance']}]")
    return 0


def _cmd_reproduce(args) -> int:
    return _run_reproduce(_plan_reproduce(args))


def _select_everything(selectors: list[str]) -> tuple[list[str], list[str]]:
    """Claims and figures matched by ``selectors``; a selector must match at least one of either."""
    from attnlab.experiments.figure_index import figure_ids
    from attnlab.proofs_checks.papers import all_papers
    from attnlab.proofs_checks.registry import all_claims
    from attnlab.proofs_checks.selectors import PATTERN_HELP, select_ids
    from attnlab.theory.errors import UnknownIdError

    papers = list(all_papers())
    claims, figures = [c.id for c in all_claims()], figure_ids()
    if not selectors:
        return claims, figures
    chosen_c: list[str] = []
    chosen_f: list[str] = []
    for sel in selectors:
        hits_c = select_ids([sel], claims, papers, "claim") if _matches(sel, claims, papers) else []
        hits_f = select_ids([sel], figures, papers, "figure") if _matches(sel, figures, papers) else []
        if not hits_c and not hits_f:
            raise UnknownIdError("selector", sel, ["all", *papers, *claims, *figures], note=f"a selector is {PATTERN_HELP}")
        chosen_c += [h for h in hits_c if h not in chosen_c]
        chosen_f += [h for h in hits_f if h not in chosen_f]
    return chosen_c, chosen_f


def _matches(sel: str, ids: list[str], papers: list[str]) -> bool:
    from fnmatch import fnmatchcase

    return sel == "all" or any(i.split("/", 1)[0] == sel or fnmatchcase(i, sel) for i in ids)


def _cmd_all(args) -> int:
    from attnlab.experiments.checking import check_paths

    claim_ids, figure_ids = _select_everything(args.selectors)
    out, _ = check_paths(args.out, None)  # --out for the claims and the report
    if out.exists():
        _check_report_inputs(out)
    plan = None
    if figure_ids:
        plan = _plan_reproduce(argparse.Namespace(figures=figure_ids, scale=args.scale, executor=args.executor,
                                                  workers=None, partition=None, device=args.device, out=args.out,
                                                  store=args.store, overrides=[]))
    check_code = 0
    if claim_ids:
        check_code = _cmd_check(argparse.Namespace(selectors=claim_ids, budget=args.budget, seed=0, json_path=None,
                                                   out=args.out, allow_inconclusive=args.allow_inconclusive))
    if plan is not None:
        _run_reproduce(plan)
    _cmd_report(argparse.Namespace(out=args.out))
    return check_code


def _check_report_inputs(out: Path) -> None:
    """The artifacts a report reads must parse: claims.json and every figure's summary.json."""
    from attnlab.experiments.report import check_report_inputs

    check_report_inputs(out)


def _cmd_report(args) -> int:
    from attnlab.experiments.paths import check_out_dir, default_out

    out = check_out_dir(default_out(args.out))
    if out.exists():
        _check_report_inputs(out)
    from attnlab.experiments.report import write_report

    out.mkdir(exist_ok=True)
    page, md = write_report(out)
    print(f"wrote {page} and {md}")
    return 0


def _cmd_bench(args) -> int:
    from attnlab.experiments.bench import run_benchmarks
    from attnlab.experiments.paths import check_out_dir, default_out

    return run_benchmarks(args.names, check_out_dir(default_out(args.out)))


_COMMANDS = {"all": _cmd_all, "list": _cmd_list, "check": _cmd_check, "reproduce": _cmd_reproduce, "report": _cmd_report,
             "bench": _cmd_bench}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from attnlab.theory._version import __version__

        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 2
    from attnlab.experiments.interrupts import EXIT_INTERRUPTED, acknowledge_interrupt, interrupts_handled

    with interrupts_handled():
        try:
            return _run_command(args)
        except KeyboardInterrupt:
            acknowledge_interrupt()
            print("attnlab: interrupted; finished claims and stored cells are kept, rerun to resume",
                  file=sys.stderr)
            return EXIT_INTERRUPTED


def _run_command(args) -> int:
    from attnlab.proofs_checks.papers import BrokenModuleError

    try:
        return _COMMANDS[args.command](args)
    except UserError as exc:
        print(f"attnlab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenModuleError as exc:
        print(f"attnlab: broken package module (a bug, not your input): {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
