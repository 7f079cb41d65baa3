"""Sampler throughput of icl_boolean (issue 10 goals), each against a per-example Python loop of the same law
timed in the same run (:mod:`attnlab.theory.icl_boolean.reference_loop`).

* ``conjunction-sampler``: n = 28, 40 points; goal >= 100 000 prompts/s on 2 CPU cores (the issue reports about
  800/s for the official sampler on such a machine).
* ``parity-sampler``: full parity, n = 20, 40 points; goal >= 10 000 prompts/s (official about 20/s: it
  enumerates all 2^20 subsets per batch).

* ``training-step``: one Adam step of the paper-width decoder on CPU against ``transformers``' GPT2Model of the
  same size (when that optional package is installed).

The loop is timed on ``loop_prompts`` prompts and ours on ``prompts``; both times are reported per the same
number of prompts (the loop's scaled linearly, said in ``baseline_scaled_from``), so the ratio is a speed-up.
"""

from __future__ import annotations

from attnlab.experiments.bench import best_of
from attnlab.theory.icl_boolean import sample_prompts
from attnlab.theory.icl_boolean.reference_loop import conjunction_prompts_loop, parity_prompts_loop

__all__ = ["bench_conjunction_sampler", "bench_parity_sampler", "bench_training_step"]


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


def _step_time(model, readin, readout, n, N, batch) -> float:
    import torch

    from attnlab.gpu.icl_boolean.prompts import bce_loss, sampler_for_training

    params = [p for m in (model, readin, readout) if m is not None for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=1e-4)
    b = sampler_for_training("conjunction", n, N, batch)(0, torch.Generator().manual_seed(0))

    def step():
        h = model(b.inputs) if readin is None else readout(model(inputs_embeds=readin(b.inputs)).last_hidden_state)
        loss = bce_loss(h, b)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    return best_of(step, repeats=3)


def bench_training_step(n: int = 28, N: int = 40, batch: int = 64, threads: int = 2) -> dict:
    """One Adam step of the paper-width decoder (12 layers x 256, 8 heads; batch 64, 40 points) on CPU: the
    training layer's gpt2 vs ``transformers``' GPT2Model of the same size with the same read-in/read-out, timed
    in the same run. Without ``transformers`` the baseline is NaN and ``skipped`` says why."""
    import torch

    from attnlab.gpu.training import ModelSpec, build_model

    torch.set_num_threads(threads)
    ours_model = build_model(ModelSpec("gpt2", d_in=n, d_out=1, d_model=256, n_layers=12, n_heads=8,
                                       max_len=2 * N), device="cpu", seed=0)
    ours = _step_time(ours_model, None, None, n, N, batch)
    out = {"ours_s": ours, "ours": "attnlab.gpu.training gpt2 (12 x 256, 8 heads)", "threads": threads,
           "shape": {"n_dims": n, "n_points": N, "batch": batch}}
    try:
        from transformers import GPT2Config, GPT2Model
    except ImportError:
        return {**out, "baseline_s": float("nan"), "baseline": "transformers GPT2Model",
                "skipped": "transformers is not installed (optional); no baseline timed"}
    hf = GPT2Model(GPT2Config(n_embd=256, n_layer=12, n_head=8, n_positions=2 * N, resid_pdrop=0.0,
                              embd_pdrop=0.0, attn_pdrop=0.0))
    base = _step_time(hf, torch.nn.Linear(n, 256), torch.nn.Linear(256, 1), n, N, batch)
    return {**out, "baseline_s": base, "baseline": "transformers GPT2Model (inputs_embeds) + Linear read-in/out"}
