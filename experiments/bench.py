r"""``attnlab bench``: speed goals met as ratios against a baseline timed in the same run.

A benchmark is a function ``() -> dict`` returning at least ``baseline_s`` and ``ours_s`` (best of
repeats, seconds) plus a description of both sides; the ratio ``baseline_s / ours_s`` is what we
report (> 1 means ours is faster). Results go to ``<out>/bench.json``. Never a timed assertion in tests.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from attnlab.theory.errors import UnknownIdError

__all__ = ["BENCHMARKS", "best_of", "run_benchmarks"]

#: name -> "module:function". Add a benchmark here.
BENCHMARKS: dict[str, str] = {
    "softmax_icl/batched-gradient": "attnlab.experiments.softmax_icl.bench:bench_batched_gradient",
    "tf_svm/batched-ngd": "attnlab.experiments.tf_svm.bench:bench_batched_ngd",
    "tf_svm/local-convergence": "attnlab.experiments.tf_svm.bench:bench_local_convergence",
    "tf_svm/svm-rank": "attnlab.experiments.tf_svm.bench:bench_svm_rank",
    "icl_boolean/conjunction-sampler": "attnlab.experiments.icl_boolean.bench:bench_conjunction_sampler",
    "icl_boolean/parity-sampler": "attnlab.experiments.icl_boolean.bench:bench_parity_sampler",
    "icl_boolean/training-step": "attnlab.experiments.icl_boolean.bench:bench_training_step",
}


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    """Best wall time of ``repeats`` calls (the least noisy estimate on a shared machine)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run_benchmarks(names: list[str], out: Path) -> int:
    chosen = names or list(BENCHMARKS)
    for n in chosen:
        if n not in BENCHMARKS:
            raise UnknownIdError("benchmark", n, sorted(BENCHMARKS))
    results = {}
    for n in chosen:
        module, _, fn = BENCHMARKS[n].partition(":")
        res = getattr(importlib.import_module(module), fn)()
        res["ratio"] = res["baseline_s"] / res["ours_s"] if res["ours_s"] > 0 else float("inf")
        results[n] = res
        print(f"{n:<40} baseline {res['baseline_s']:.3f}s  ours {res['ours_s']:.3f}s  ratio {res['ratio']:.1f}x")
        print(f"    baseline: {res.get('baseline', '')}\n    ours:     {res.get('ours', '')}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    return 0
