r"""Benchmarks of the command line's start-up: ``attnlab --help`` and ``attnlab list`` in fresh processes.

Each side is a new interpreter (what a user waits for), best of ``repeats``. The baselines, timed in the same
run, are what these commands cost when every module is imported: ``--help`` against an interpreter that
imports the package's heavy libraries (torch, cvxpy, matplotlib, sympy, hypothesis, scipy), ``list`` against
the listing built from the imported registries (every claims and every figure module, as ``list`` did
before the figure index and the lazy imports).
"""

from __future__ import annotations

import os
import subprocess
import sys

from attnlab.experiments.bench import best_of

__all__ = ["bench_help", "bench_list"]

_HEAVY = "import torch, cvxpy, matplotlib.pyplot, sympy, hypothesis, scipy.optimize"
_IMPORTED_LISTING = ("from attnlab.experiments.figures import all_figures; "
                     "from attnlab.proofs_checks.registry import all_claims; "
                     "from attnlab.experiments.listing import listing_text; "
                     "all_claims(); all_figures(); listing_text()")


def _python(*args: str) -> None:
    env = {**os.environ, "ATTNLAB_PROGRESS": "0"}
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, env=env)


def bench_help(repeats: int = 3) -> dict:
    ours = best_of(lambda: _python("-m", "attnlab.experiments.cli", "--help"), repeats)
    base = best_of(lambda: _python("-c", _HEAVY), repeats)
    return {"baseline_s": base, "ours_s": ours,
            "baseline": f"a fresh interpreter running `{_HEAVY}`",
            "ours": "a fresh interpreter running `attnlab --help` (python -m attnlab.experiments.cli --help)"}


def bench_list(repeats: int = 3) -> dict:
    ours = best_of(lambda: _python("-m", "attnlab.experiments.cli", "list"), repeats)
    base = best_of(lambda: _python("-c", _IMPORTED_LISTING), repeats)
    return {"baseline_s": base, "ours_s": ours,
            "baseline": "a fresh interpreter importing every claims and figure module, then listing",
            "ours": "a fresh interpreter running `attnlab list` (figures indexed from source, heavy imports deferred)",
            "note": "list still imports every claims module to register its claims"}
