r"""Training the three architectures on a :class:`~attnlab.experiments.algoformer.tasks.Task` (shared helpers).

* ``standard``: the training layer's ``gpt2`` kind, ``std_layers`` layers;
* ``looped``: the training layer's ``looped`` kind (1 layer, Yang et al.), trained with the truncated loss
  over the last ``window`` of ``n_loops`` loops;
* ``algoformer``: :class:`~attnlab.gpu.algoformer.models.AlgoFormerNet` (``n_pre`` / 1 / ``n_post`` layers),
  same loop count and loss.

Every model has the width ``d_model`` and ``n_heads`` heads; each step draws a fresh batch of prompts.
"""

from __future__ import annotations

import numpy as np

from attnlab.experiments.algoformer.tasks import Prompts, Task

__all__ = ["MODELS", "to_batch", "train_model", "evaluate_by_examples"]

MODELS = ("standard", "looped", "algoformer")


def to_batch(p: Prompts, device):
    import torch

    from attnlab.gpu.training import Batch

    t = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
    return Batch(t(p.inputs), t(p.targets), torch.as_tensor(p.mask, device=device))


def train_model(kind: str, task: Task, cfg, seed: int, device=None):
    """Train one model; returns (model, rows). ``cfg`` supplies d_model, n_heads, std_layers, n_loops, window,
    n_pre, n_post, train_steps, batch, lr."""
    import torch

    from attnlab.gpu.algoformer.models import AlgoFormerNet, WindowedLoops, window_mse
    from attnlab.gpu.device import get_device
    from attnlab.gpu.training import ModelSpec, TrainSpec, build_model, masked_mse, train

    dev = get_device(device)  # the sweep cell's device (None: the policy's choice)
    common = dict(d_in=task.d_in, d_out=task.d_out, d_model=cfg.d_model, n_heads=cfg.n_heads, max_len=task.length)
    if kind == "standard":
        model = build_model(ModelSpec(kind="gpt2", n_layers=cfg.std_layers, **common), device=dev, seed=seed)
        net, loss = model, masked_mse
    elif kind == "looped":
        model = build_model(ModelSpec(kind="looped", n_layers=1, n_loops=cfg.n_loops, **common), device=dev, seed=seed)
        net, loss = WindowedLoops(model, cfg.n_loops, cfg.window), window_mse
    else:
        model = AlgoFormerNet(n_pre=cfg.n_pre, n_post=cfg.n_post, n_loops=cfg.n_loops, seed=seed, **common).to(dev)
        net, loss = WindowedLoops(model, cfg.n_loops, cfg.window), window_mse

    def sample(step, g):
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=g, device=g.device).item()))
        return to_batch(task.sample(rng, cfg.batch), dev)

    spec = TrainSpec(steps=cfg.train_steps, batch=cfg.batch, lr=cfg.lr, seed=seed, eval_every=cfg.train_steps)
    res = train(net, sample, loss, spec, device=dev, label=f"algoformer {task.name} {kind}")
    return model, [r for r in res.rows if r["metric"] == "train_loss"]


def evaluate_by_examples(model, prompts: Prompts, device, n_loops: int | None = None, scalar_norm: int = 1) -> dict[int, float]:
    """Mean squared error per number of in-context examples (divided by ``scalar_norm``)."""
    import torch

    from attnlab.gpu.training import per_position

    batch = to_batch(prompts, device)
    model.eval()
    with torch.no_grad():
        pred = model(batch.inputs) if n_loops is None else model(batch.inputs, n_loops=n_loops)
    err = per_position(pred, batch, "mse").cpu().numpy() / scalar_norm
    out: dict[int, list[float]] = {}
    for pos, n in enumerate(prompts.n_examples):
        if prompts.mask[:, pos].any() and np.isfinite(err[pos]):
            out.setdefault(int(n), []).append(float(err[pos]))
    return {n: float(np.mean(v)) for n, v in out.items()}
