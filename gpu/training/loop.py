r"""The training loop: fresh tasks every step, seeded, with evaluation, progress, checkpoint and resume.

Step :math:`t = 1, \dots, T` draws ``sample(t, g_t)`` with :math:`g_t` seeded by (``spec.seed``, t)
(:func:`~attnlab.gpu.training.seeding.step_generator`), takes one AdamW step on ``loss(model(x), batch)``
after clipping the global gradient norm to ``grad_clip`` (0: no clipping), and every ``eval_every``
steps (including step 0, before training, and always at step T) records

* ``{"step": t, "metric": "train_loss", "value": ...}``: the mean training loss since the last record
  (not at step 0), and
* the rows ``evaluate(model, t)`` returns, each with ``"step": t`` set.

With ``checkpoint`` a path, the state is saved every ``checkpoint_every`` steps and at the end; a call
with the same path resumes from it (a finished run returns at once) and gives the same rows and weights
as an uninterrupted run. The global torch RNG is seeded from ``spec.seed`` inside a fork, so the
caller's RNG is untouched and a stochastic model is reproducible too. On a CPU the loop runs with one
thread unless ``ATTNLAB_TRAIN_THREADS`` says otherwise (see ``threads.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import nn

from attnlab.gpu.device import get_device
from attnlab.gpu.training.batch import Batch
from attnlab.gpu.training.checkpoint import load_checkpoint, save_checkpoint
from attnlab.gpu.training.console import console_progress
from attnlab.gpu.training.seeding import derive_seed, step_generator
from attnlab.gpu.training.threads import cpu_threads
from attnlab.theory.errors import ConfigError

__all__ = ["TrainSpec", "TrainResult", "train"]

_STREAM_GLOBAL_RNG = 1
_PROGRESS_CALLS = 100  # the progress callback is called at most this often per run (each call syncs)


@dataclass(frozen=True)
class TrainSpec:
    """Optimisation settings (AdamW).

    Attributes:
        steps: T, optimiser steps (each on a fresh batch).
        batch: tasks per step (passed to nobody: ``sample`` closes over it; recorded for checkpoints).
        lr: AdamW learning rate.
        seed: seeds the data of every step and the global RNG.
        weight_decay: AdamW decoupled weight decay.
        grad_clip: global gradient-norm clip; 0 turns clipping off.
        eval_every: record rows every this many steps (and at steps 0 and T).
        checkpoint_every: save every this many steps (0: only at the end); ignored without ``checkpoint``.
        betas, eps: AdamW's moment decays and denominator guard.
    """

    steps: int
    batch: int
    lr: float
    seed: int
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    eval_every: int = 100
    checkpoint_every: int = 0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __post_init__(self):
        for name in ("steps", "batch", "eval_every"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {getattr(self, name)!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be an integer >= 0, got {self.seed!r}")
        if not self.lr > 0 or not self.eps > 0:
            raise ConfigError(f"lr and eps must be > 0, got lr={self.lr}, eps={self.eps}")
        if self.weight_decay < 0 or self.grad_clip < 0 or self.checkpoint_every < 0:
            raise ConfigError("weight_decay, grad_clip and checkpoint_every must be >= 0")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"betas must be two numbers in [0, 1), got {self.betas}")
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    """``rows`` (dicts with step, metric, value, ...), the trained ``model``, ``steps_done`` and
    ``resumed_from`` (the checkpoint step the run continued from; None for a fresh run)."""

    rows: list[dict]
    model: nn.Module
    steps_done: int
    resumed_from: int | None = None


def _record(rows: list[dict], evaluate, model, step: int, window: torch.Tensor) -> torch.Tensor:
    if step > 0 and window[1] > 0:
        rows.append({"step": step, "metric": "train_loss", "value": (window[0] / window[1]).item()})
    if evaluate is not None:
        for row in evaluate(model, step):
            rows.append({"step": step, **{k: v for k, v in row.items() if k != "step"}})
    return torch.zeros(2, dtype=torch.float64, device=window.device)


def train(model: nn.Module, sample: Callable[[int, torch.Generator], Batch],
          loss: Callable[[torch.Tensor, Batch], torch.Tensor], spec: TrainSpec, *,
          evaluate: Callable[[nn.Module, int], list[dict]] | None = None, checkpoint=None, device=None,
          label: str = "", progress: Callable[[int, int, float], None] | None = None) -> TrainResult:
    """Train ``model`` in place on fresh batches and return its rows (see the module docstring).

    Args:
        model: any module, already on ``device``; called as ``model(batch.inputs)``.
        sample: ``sample(step, generator) -> Batch`` for steps 1..T; draw with ``generator`` only.
        loss: ``loss(pred, batch) -> scalar tensor``.
        spec: the optimisation settings.
        evaluate: ``evaluate(model, step) -> list[dict]``, called at steps 0, every ``eval_every``, and T.
        checkpoint: a file path to save to and resume from, or None.
        device: where the model lives and batches are drawn (torch.device or a string for get_device).
        label: names the run in progress output.
        progress: ``(step, total, loss) -> None``; default a console bar (quiet with ATTNLAB_PROGRESS=0).
    """
    dev = get_device(device)
    report = progress if progress is not None else console_progress(label or "train")
    every = max(1, spec.steps // _PROGRESS_CALLS)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, betas=spec.betas, eps=spec.eps,
                            weight_decay=spec.weight_decay)
    spec_dict = spec.to_dict()
    cuda_ids = [dev.index if dev.index is not None else torch.cuda.current_device()] if dev.type == "cuda" else []
    with cpu_threads(dev), torch.random.fork_rng(devices=cuda_ids):
        torch.manual_seed(derive_seed(spec.seed, 0, stream=_STREAM_GLOBAL_RNG))
        window = torch.zeros(2, dtype=torch.float64, device=dev)  # (sum of losses, count) since the last record
        rows: list[dict] = []
        state = None if checkpoint is None else load_checkpoint(checkpoint, spec=spec_dict, model=model,
                                                                  optimizer=opt, device=dev)
        if state is None:
            start, resumed_from = 0, None
            window = _record(rows, evaluate, model, 0, window)
        else:
            start = resumed_from = state["step"]
            rows, window = list(state["rows"]), state["window"].to(dev)

        model.train()
        for step in range(start + 1, spec.steps + 1):
            batch = sample(step, step_generator(spec.seed, step, dev))
            value = loss(model(batch.inputs), batch)
            opt.zero_grad(set_to_none=True)
            value.backward()
            if spec.grad_clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip)
            opt.step()
            window = window + torch.stack([value.detach().to(torch.float64), window.new_ones(())])
            if step % every == 0 or step == spec.steps:
                report(step, spec.steps, value.item())
            if step % spec.eval_every == 0 or step == spec.steps:
                window = _record(rows, evaluate, model, step, window)
            if checkpoint is not None and ((spec.checkpoint_every and step % spec.checkpoint_every == 0)
                                           or step == spec.steps):
                save_checkpoint(checkpoint, spec=spec_dict, step=step, model=model, optimizer=opt,
                                rows=rows, window=window)
    return TrainResult(rows=rows, model=model, steps_done=spec.steps, resumed_from=resumed_from)
