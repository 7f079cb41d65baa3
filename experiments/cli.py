r"""The ``attnlab`` command line: all, list, check, reproduce, report, bench.

User errors (unknown id, bad override, bad value, missing optional dependency) print one line
``attnlab: error: ...`` naming what is valid and exit 2; ``check`` exits 1 when a claim failed.
"""

from __future__ import annotations

import argparse
import json
import sys

from attnlab.theory.errors import ConfigError, UserError

__all__ = ["main", "build_parser"]


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs or []:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {p!r} must be key=value, e.g. --set steps=100")
        out[key.strip()] = value.strip()
    return out


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="attnlab", description="Executable checks of transformer-theory papers.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("list", help="papers, claims and figures with ids")
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable")
    fmt.add_argument("--markdown", action="store_true", help="the CLAIMS.md document")
    s.add_argument("--out", help="results directory whose claims.json gives last statuses (default results/)")

    s = sub.add_parser("check", help="run claim checks; exit 1 if any claim failed")
    s.add_argument("selectors", nargs="*", help="paper keys, claim ids or shell-style globs such as '*lipschitz*' (default: all)")
    s.add_argument("--budget", type=_positive_int, default=200, help="instances per claim (default 200)")
    s.add_argument("--seed", type=int, default=0, help="seed of the instance search (default 0)")
    s.add_argument("--json", dest="json_path", help="also write the records to this JSON file")
    s.add_argument("--out", help="results directory; records are merged into <out>/claims.json")

    s = sub.add_parser("reproduce", help="run a figure's sweep and compare with the paper")
    s.add_argument("figures", nargs="+", help="figure ids or paper keys ('all' for every figure)")
    s.add_argument("--scale", choices=("smoke", "paper"), default="smoke")
    s.add_argument("--executor", choices=("serial", "process", "slurm"), default="serial")
    s.add_argument("--workers", type=_positive_int, default=None, help="processes for --executor process")
    s.add_argument("--partition", default=None, help="Slurm partition for --executor slurm")
    s.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps (default: ATTNLAB_DEVICE, else cuda if available, else cpu)")
    s.add_argument("--out", help="results directory (default results/)")
    s.add_argument("--store", help="SQLite store (default $ATTNLAB_STORE or results/attnlab.sqlite)")
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set steps=200 --set seeds=0,1")

    s = sub.add_parser("all", help="the main job: check the claims, reproduce the figures, write the report")
    s.add_argument("selectors", nargs="*",
                   help="paper keys, ids or shell-style globs over claims and figures (default: everything)")
    s.add_argument("--scale", choices=("smoke", "paper"), default="smoke")
    s.add_argument("--budget", type=_positive_int, default=200, help="instances per claim (default 200)")
    s.add_argument("--executor", choices=("serial", "process", "slurm"), default="serial")
    s.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps (default: auto)")
    s.add_argument("--out", help="results directory (default results/)")
    s.add_argument("--store", help="SQLite store (default $ATTNLAB_STORE or results/attnlab.sqlite)")

    s = sub.add_parser("report", help="write report.html and report.md from stored artifacts")
    s.add_argument("--out", help="results directory (default results/)")

    s = sub.add_parser("bench", help="speed benchmarks, reported as ratios against a baseline in the same run")
    s.add_argument("names", nargs="*", help="benchmark names (default: all)")
    s.add_argument("--out", help="results directory; writes <out>/bench.json")
    return p


def _cmd_list(args) -> int:
    from attnlab.experiments.listing import listing_json, listing_markdown, listing_text

    if args.markdown:
        sys.stdout.write(listing_markdown())
    elif args.json:
        print(json.dumps(listing_json(args.out), indent=2))
    else:
        sys.stdout.write(listing_text(args.out))
    return 0


def _cmd_check(args) -> int:
    from attnlab.experiments.checking import run_checks

    return run_checks(args.selectors, args.budget, args.seed, args.json_path, args.out)


def _expand_figures(selectors: list[str]) -> list[str]:
    from attnlab.experiments.figures import select_figures

    return select_figures(selectors)


def _cmd_reproduce(args) -> int:
    from attnlab.experiments.executors import make_executor
    from attnlab.experiments.figures import get_figure
    from attnlab.experiments.paths import default_out, default_store
    from attnlab.experiments.reproduce import reproduce_figure
    from attnlab.experiments.store import ResultStore
    from attnlab.gpu.device import device_name

    overrides = _overrides(args.overrides)
    ids = _expand_figures(args.figures)
    for fid in ids:  # validate every config before computing anything
        get_figure(fid).config_cls.preset(args.scale).with_overrides(overrides)
    if args.device:
        device_name(args.device)  # validate now: a clear error instead of a failure in a worker
    out = default_out(args.out)
    store_path = default_store(args.store)
    executor = make_executor(args.executor, workers=args.workers, slurm_partition=args.partition,
                             slurm_folder=store_path.parent / "slurm-logs")
    with ResultStore(store_path) as store:
        for fid in ids:
            rep = reproduce_figure(fid, args.scale, overrides, store, executor, out, device=args.device)
            print(f"{fid}: {rep.computed} cells computed, {rep.skipped} cached -> {rep.out_dir}")
            for q in rep.comparisons:
                verdict = {True: "agree", False: "DISAGREE", None: "not computed"}[q["agrees"]]
                ours = "-" if q["ours"] is None else f"{q['ours']:.4g}"
                print(f"  {q['quantity']:<34} ours {ours:>10}  paper {q['relation']} {q['paper']!s:<8} "
                      f"tol {q['tolerance']:<6g} {verdict} [{q['provenance']}]")
    return 0


def _select_everything(selectors: list[str]) -> tuple[list[str], list[str]]:
    """Claims and figures matched by ``selectors``; a selector must match at least one of either."""
    from attnlab.experiments.figures import all_figures
    from attnlab.proofs_checks.papers import all_papers
    from attnlab.proofs_checks.registry import all_claims
    from attnlab.proofs_checks.selectors import PATTERN_HELP, select_ids
    from attnlab.theory.errors import UnknownIdError

    papers = list(all_papers())
    claims, figures = [c.id for c in all_claims()], [f.id for f in all_figures()]
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
    claim_ids, figure_ids = _select_everything(args.selectors)
    check_code = 0
    if claim_ids:
        check_code = _cmd_check(argparse.Namespace(selectors=claim_ids, budget=args.budget, seed=0, json_path=None,
                                                   out=args.out))
    if figure_ids:
        _cmd_reproduce(argparse.Namespace(figures=figure_ids, scale=args.scale, executor=args.executor,
                                          workers=None, partition=None, device=args.device, out=args.out,
                                          store=args.store, overrides=[]))
    _cmd_report(argparse.Namespace(out=args.out))
    return check_code


def _cmd_report(args) -> int:
    from attnlab.experiments.paths import default_out
    from attnlab.experiments.report import write_report

    page, md = write_report(default_out(args.out))
    print(f"wrote {page} and {md}")
    return 0


def _cmd_bench(args) -> int:
    from attnlab.experiments.bench import run_benchmarks
    from attnlab.experiments.paths import default_out

    return run_benchmarks(args.names, default_out(args.out))


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
    from attnlab.proofs_checks.papers import BrokenModuleError

    try:
        return _COMMANDS[args.command](args)
    except UserError as exc:
        print(f"attnlab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenModuleError as exc:
        print(f"attnlab: broken package module (a bug, not your input): {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("attnlab: interrupted; stored cells are kept, rerun to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
