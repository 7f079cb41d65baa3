r"""Benchmarks of the algoformer constructions and looped training (registered in :mod:`attnlab.experiments.bench`).

* ``algoformer/batched-gd-loop``: the looped GD construction for B prompts and T = 1000 loops, one batched
  torch call (:func:`attnlab.gpu.algoformer.gd_loop.gd_loop_predictions`) against the theory function called
  per prompt in a Python loop (numpy float64), checked equal first. Goal: >= 50x (issue 11).
* ``algoformer/looped-train-step``: one optimiser step of a 1-layer block looped 30 times against a 12-layer
  standard transformer of the same width (Yang et al.: n_embd 256, 8 heads, batch 64, 41 points, d = 20),
  both from :mod:`attnlab.gpu.training`. Goal: looped no slower.
"""

from __future__ import annotations

import numpy as np

from attnlab.experiments.bench import best_of
from attnlab.gpu.device import get_device
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.algoformer.gd_step import gd_loop_predictions

__all__ = ["bench_batched_gd_loop", "bench_looped_train_step", "bench_looped_train_step_window", "work_units"]


def bench_batched_gd_loop(batch: int = 256, n: int = 20, d: int = 10, T: int = 1000) -> dict:
    import torch

    from attnlab.gpu.algoformer import gd_loop

    rng = np.random.default_rng(0)
    X, y, xq = rng.normal(size=(batch, n, d)), rng.normal(size=(batch, n)), rng.normal(size=(batch, d))
    eta = 1.0 / np.linalg.eigvalsh(np.swapaxes(X, 1, 2) @ X / n)[:, -1]
    device = get_device()
    Xt, yt, qt, et = (torch.as_tensor(v, dtype=torch.float64, device=device) for v in (X, y, xq, eta))

    def loop():
        return np.stack([gd_loop_predictions(X[b], y[b], xq[b], eta[b], T) for b in range(batch)], axis=1)

    def batched():
        out = gd_loop.gd_loop_predictions(Xt, yt, qt, et, T)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return out

    assert_close(batched().cpu().numpy(), loop(), TOL.gpu_float64, what="batched vs per-prompt loop")
    return {
        "baseline_s": best_of(loop, repeats=1),
        "ours_s": best_of(batched),
        "baseline": f"attnlab.theory.algoformer.gd_step.gd_loop_predictions per prompt, Python loop over {batch} prompts x T={T} (numpy float64)",
        "ours": f"attnlab.gpu.algoformer.gd_loop.gd_loop_predictions, one batched call (torch float64, {device})",
        "shape": {"batch": batch, "n": n, "d": d, "T": T},
    }


def bench_looped_train_step(width: int = 256, heads: int = 8, batch: int = 64, points: int = 41, d: int = 20,
                            loops: int = 30, layers: int = 12, steps: int = 2, window: int = 0) -> dict:
    import torch

    from attnlab.gpu.training import ModelSpec, build_model

    device = get_device()
    L = 2 * points
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, L, d, generator=g).to(device)
    target = torch.randn(batch, L, 1, generator=g).to(device)

    from attnlab.gpu.algoformer.models import WindowedLoops

    def stepper(spec):
        model = build_model(spec, device=device, seed=0)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        net = WindowedLoops(model, loops, window) if window and spec.kind == "looped" else model

        def run():
            for _ in range(steps):
                opt.zero_grad()
                out = net(x)
                loss = ((out - (target[..., None] if out.ndim == 4 else target)) ** 2).mean()
                loss.backward()
                opt.step()
            if device.type == "cuda":
                torch.cuda.synchronize()

        return run

    common = dict(d_in=d, d_out=1, d_model=width, n_heads=heads, max_len=L)
    looped = stepper(ModelSpec(kind="looped", n_layers=1, n_loops=loops, **common))
    standard = stepper(ModelSpec(kind="gpt2", n_layers=layers, **common))
    return {
        "baseline_s": best_of(standard, repeats=2),
        "ours_s": best_of(looped, repeats=2),
        "baseline": f"{layers}-layer standard transformer, width {width}, {heads} heads: {steps} Adam steps, batch {batch}, L={L}",
        "ours": f"1-layer block looped {loops} times, "
        + (f"Yang's truncated loss (gradients through the last {window} loops)" if window else "backprop through every loop")
        + ", same width/batch",
        "note": _flop_note(loops, layers, window),
    }


def work_units(loops: int, layers: int, window: int) -> tuple[int, int]:
    r"""Block applications weighted by cost, (looped, standard): a forward counts 1 and a forward with its
    backward 3 (backward ~ 2 forwards). Looped: :math:`(b-\Delta) + 3\Delta` with :math:`\Delta` = ``window``
    (all ``loops`` when 0); standard: :math:`3 \cdot` ``layers``."""
    grad_loops = loops if not window else min(window, loops)
    return (loops - grad_loops) + 3 * grad_loops, 3 * layers


def _flop_note(loops: int, layers: int, window: int) -> str:
    ours, base = work_units(loops, layers, window)
    return (f"the looped step applies the block {loops} times against {layers} layers: {ours} vs {base} forward-"
            f"equivalents (backward = 2 forwards), so 'no slower' cannot hold on FLOPs; the ratio the FLOPs allow "
            f"is {base / ours:.2f}x, and a measured ratio near it means the loop adds no overhead of its own")


def bench_looped_train_step_window() -> dict:
    """As :func:`bench_looped_train_step` with Yang's linear-regression window of 15 loops [src: exec/script_loop.sh]."""
    return bench_looped_train_step(window=15)
