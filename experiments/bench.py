r"""``attnlab bench``: speed goals met as ratios against a baseline timed in the same run.

A benchmark is a function ``() -> dict`` returning at least ``baseline_s`` and ``ours_s`` (best of
repeats, seconds) plus a description of both sides; the ratio ``baseline_s / ours_s`` is what we
report (> 1 means ours is faster). Results go to ``<out>/bench.json``. Never a timed assertion in tests.

On screen a scaled time (timed on a subset and extrapolated: the dict has ``baseline_scaled_from``, and
``baseline_measured_s`` / ``ours_measured_s``) is marked ``*`` with what was measured, and a ratio below 1
is explained: the benchmark's own ``note``, and the machine's load when it exceeded its CPU count
(multi-threaded code suffers most on a busy machine).
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from attnlab.theory.errors import UnknownIdError

__all__ = ["BENCHMARKS", "best_of", "run_benchmarks"]

#: name -> "module:function". Add a benchmark here.
BENCHMARKS: dict[str, str] = {
    "algoformer/batched-gd-loop": "attnlab.experiments.algoformer.bench:bench_batched_gd_loop",
    "algoformer/looped-train-step": "attnlab.experiments.algoformer.bench:bench_looped_train_step",
    "algoformer/looped-train-step-window": "attnlab.experiments.algoformer.bench:bench_looped_train_step_window",
    "softmax_icl/batched-gradient": "attnlab.experiments.softmax_icl.bench:bench_batched_gradient",
    "tf_svm/batched-ngd": "attnlab.experiments.tf_svm.bench:bench_batched_ngd",
    "tf_svm/local-convergence": "attnlab.experiments.tf_svm.bench:bench_local_convergence",
    "tf_svm/svm-rank": "attnlab.experiments.tf_svm.bench:bench_svm_rank",
    "urpe/fft-vs-naive": "attnlab.experiments.urpe.bench:bench_fft_vs_naive",
    "urpe/urpe-vs-rpe": "attnlab.experiments.urpe.bench:bench_urpe_vs_rpe",
    "cli/help": "attnlab.experiments.startup_bench:bench_help",
    "cli/list": "attnlab.experiments.startup_bench:bench_list",
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


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return None


def format_result(name: str, res: dict) -> str:
    """The lines ``attnlab bench`` prints for one result: scaled times marked, a ratio below 1 explained."""
    base_mark = "*" if "baseline_measured_s" in res else ""
    ours_mark = "*" if "ours_measured_s" in res else ""
    lines = [f"{name:<40} baseline {res['baseline_s']:.3f}s{base_mark}  ours {res['ours_s']:.3f}s{ours_mark}  "
             f"ratio {res['ratio']:.1f}x",
             f"    baseline: {res.get('baseline', '')}", f"    ours:     {res.get('ours', '')}"]
    if base_mark or ours_mark:
        measured = ", ".join(f"{side} {res[f'{side}_measured_s']:.3f}s" for side in ("baseline", "ours")
                             if f"{side}_measured_s" in res)
        lines.append(f"    * scaled, not measured at full size: measured {measured} on "
                     f"{res.get('baseline_scaled_from', 'a subset')}")
    if res["ratio"] < 1:
        why = [res["note"]] if res.get("note") else []
        load, cpus = res.get("load_average"), res.get("cpus")
        if load is not None and cpus and load > cpus:
            why.append(f"the machine was busy (load average {load:.1f} on {cpus} CPUs), which slows "
                       "multi-threaded code most")
        lines.append("    ratio below 1: ours was slower than the baseline in this run; "
                     + ("; ".join(why) if why else "the benchmark recorded no reason"))
    return "\n".join(lines)


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
        res["load_average"], res["cpus"] = _load(), os.cpu_count()
        results[n] = res
        print(format_result(n, res), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    return 0
