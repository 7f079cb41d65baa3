"""Sampler throughput of icl_boolean (issue 10 goals), each against a per-example Python loop of the same law
timed in the same run (:mod:`attnlab.theory.icl_boolean.reference_loop`).

* ``conjunction-sampler``: n = 28, 40 points; goal >= 100 000 prompts/s on 2 CPU cores (the issue reports about
  800/s for the official sampler on such a machine).
* ``parity-sampler``: full parity, n = 20, 40 points; goal >= 10 000 prompts/s (official about 20/s: it
  enumerates all 2^20 subsets per batch).

The loop is timed on ``loop_prompts`` prompts and ours on ``prompts``; both times are reported per the same
number of prompts (the loop's scaled linearly, said in ``baseline_scaled_from``), so the ratio is a speed-up.
"""

from __future__ import annotations

from attnlab.experiments.bench import best_of
from attnlab.theory.icl_boolean import sample_prompts
from attnlab.theory.icl_boolean.reference_loop import conjunction_prompts_loop, parity_prompts_loop

__all__ = ["bench_conjunction_sampler", "bench_parity_sampler"]


def _bench(task, loop, n, N, goal, prompts, loop_prompts) -> dict:
    ours = best_of(lambda: sample_prompts(task, n, N, prompts, seed=0), repeats=5)
    base = best_of(lambda: loop(n, N, loop_prompts, 0), repeats=1) * prompts / loop_prompts
    rate = prompts / ours
    return {"baseline_s": base, "ours_s": ours, "prompts_per_s": rate, "baseline_prompts_per_s": prompts / base,
            "goal_prompts_per_s": goal, "meets_goal": rate >= goal, "baseline_scaled_from": loop_prompts,
            "baseline": f"attnlab.theory.icl_boolean.reference_loop.{loop.__name__} (one point at a time, Python random)",
            "ours": f"attnlab.theory.icl_boolean.sample_prompts('{task}') (packed uint64 points, numpy)",
            "shape": {"n_dims": n, "n_points": N, "prompts": prompts}}


def bench_conjunction_sampler(prompts: int = 20_000, loop_prompts: int = 500) -> dict:
    return _bench("conjunction", conjunction_prompts_loop, 28, 40, 100_000, prompts, loop_prompts)


def bench_parity_sampler(prompts: int = 20_000, loop_prompts: int = 500) -> dict:
    return _bench("parity", parity_prompts_loop, 20, 40, 10_000, prompts, loop_prompts)
