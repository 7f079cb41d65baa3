r"""Train one self-attention layer in context and compare it with one GD step (shared by F1, F2, F4).

One function, :func:`run_comparison`, does what von Oswald's ``train.py`` + ``analyse`` do, for any
task family and either attention kind:

1. pick the GD step size :math:`\eta` by grid search on ``n_grid`` training tasks (lowest loss);
2. train the layer online with :func:`attnlab.gpu.training.train` (fresh tasks every step, drawn from
   (seed, step)) with AdamW and global-norm clipping on the loss
   :math:`\frac12 \mathrm{mean}_\text{batch} (\hat y - y_q)^2`;
3. every ``eval_every`` steps (and at steps 0 and ``steps``), on ``n_eval`` fixed evaluation tasks,
   record von Oswald's alignment measures (:func:`alignment_metrics`).

Sensitivities :math:`\partial \hat y / \partial x_q` come from one backward pass of
:math:`\sum_b \hat y_b` w.r.t. the batch of queries: tasks do not interact, so its rows are the
per-task gradients (what von Oswald computes with ``vmap(grad)``).

Rows are tidy: ``{"step", "metric", "value", "seed", **labels}`` with metrics ``loss_tf``, ``loss_gd``,
``loss_trivial`` (the GD model at :math:`\eta = 0`: zero for linear, 1 for softmax regression),
``preds_diff``, ``model_diff``, ``model_cos``, and one ``gd_eta`` row (step 0).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from attnlab.experiments.config import ExperimentConfig, canonical_json
from attnlab.experiments.paths import checkpoint_dir
from attnlab.experiments.progress import training_progress
from attnlab.experiments.softmax_icl.icl_tasks import ICLBatch
from attnlab.gpu.device import disable_tf32, get_device
from attnlab.gpu.softmax_icl.attention_layers import ATTENTION_MODES, OnTokens, SelfAttentionRegressor
from attnlab.gpu.softmax_icl.gd_predictors import OneStepGD
from attnlab.gpu.training import Batch, TrainSpec, cpu_threads, train
from attnlab.theory.errors import ConfigError

__all__ = [
    "ICLTrainingConfig",
    "alignment_metrics",
    "grid_search_eta",
    "run_comparison",
    "summarize_training",
    "METRICS",
]

METRICS = ("loss_tf", "loss_gd", "loss_trivial", "preds_diff", "model_diff", "model_cos")
_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_STREAM_INIT, _STREAM_GRID, _STREAM_EVAL = 0, 2, 3  # training data: the training layer's (seed, step) streams


@dataclass(frozen=True)
class ICLTrainingConfig(ExperimentConfig):
    """Training, evaluation and layer fields shared by the in-context figures (defaults: von Oswald's).

    Fields: ``num_heads`` H and ``key_size`` k (0 means d + 1) of the layer; ``attention`` "full" or
    "query" (same output for one layer, see attnlab.gpu.softmax_icl.attention_layers); ``init_scale`` haiku
    VarianceScaling scale; AdamW ``lr``, ``beta1``, ``beta2``, ``weight_decay``; ``clip_norm`` global
    gradient-norm clip; ``steps`` with ``batch_size`` fresh tasks each; ``eval_every`` and ``n_eval``
    fixed evaluation tasks (drawn from ``eval_seed``, the same for every seed, like von Oswald's
    PRNGKey(5)); ``n_grid`` tasks for the GD step-size grid ``eta_grid`` = (start, stop, step);
    ``dtype`` float32 or float64.
    """

    num_heads: int = 1
    key_size: int = 0
    attention: str = "full"
    init_scale: float = 0.002
    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.98
    weight_decay: float = 0.0
    clip_norm: float = 0.001
    steps: int = 5000
    batch_size: int = 2048
    eval_every: int = 100
    n_eval: int = 10_000
    eval_seed: int = 5
    n_grid: int = 10_000
    eta_grid: tuple[float, ...] = (0.001, 25.0, 0.1)
    dtype: str = "float32"

    def validate(self) -> None:
        positive_ints = ("num_heads", "steps", "batch_size", "eval_every", "n_eval", "n_grid")
        for name in positive_ints:
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {getattr(self, name)}")
        if self.key_size < 0:
            raise ConfigError(f"key_size must be >= 1, or 0 for d + 1; got {self.key_size}")
        if self.attention not in ATTENTION_MODES:
            raise ConfigError(f"attention must be one of {ATTENTION_MODES}, got {self.attention!r}")
        for name in ("init_scale", "lr", "clip_norm"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ConfigError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if self.weight_decay < 0:
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay}")
        g = self.eta_grid
        if len(g) != 3 or not (0 <= g[0] < g[1] and g[2] > 0):
            raise ConfigError(f"eta_grid must be (start, stop, step) with 0 <= start < stop and step > 0, got {g}")
        if self.dtype not in _DTYPES:
            raise ConfigError(f"dtype must be one of {tuple(_DTYPES)}, got {self.dtype!r}")

    def eta_values(self, unit: float = 1.0) -> np.ndarray:
        """The grid ``arange(start, stop, step) * unit`` (von Oswald: [0.001, 25) in steps of 0.1)."""
        start, stop, step = self.eta_grid
        return np.arange(start, stop, step) * unit


def _generator(seed: int, stream: int, device) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(int(np.random.SeedSequence([seed, stream]).generate_state(1)[0]))
    return g


def _mse_half(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((pred - target) ** 2).mean()


def alignment_metrics(model, baseline: OneStepGD, batch: ICLBatch) -> dict[str, float]:
    r"""Losses and von Oswald's ``analyse`` measures on one batch.

    ``model_cos`` = mean of :math:`\langle s_1/(\|s_1\|+10^{-8}), s_2/(\|s_2\|+10^{-8})\rangle`,
    ``model_diff`` = mean :math:`\|s_1 - s_2\|_2`, ``preds_diff`` = mean :math:`|\hat y_1 - \hat y_2|`,
    where :math:`s = \partial \hat y / \partial x_q \in \mathbb{R}^d` per task.
    """
    out = {}
    preds, sens = [], []
    for m in (model, baseline):
        xq = batch.xq.detach().clone().requires_grad_(True)
        pred = m(batch.xs, batch.ys, xq)
        (s,) = torch.autograd.grad(pred.sum(), xq)  # (B, d): per-task sensitivities
        preds.append(pred.detach())
        sens.append(s)
    with torch.no_grad():
        out["loss_tf"] = _mse_half(preds[0], batch.yq).item()
        out["loss_gd"] = _mse_half(preds[1], batch.yq).item()
        trivial = baseline.readout(batch.xs, batch.xq, torch.zeros_like(batch.xq))
        out["loss_trivial"] = _mse_half(trivial, batch.yq).item()
        out["preds_diff"] = (preds[0] - preds[1]).abs().mean().item()
        out["model_diff"] = (sens[0] - sens[1]).norm(dim=-1).mean().item()
        u = sens[0] / (sens[0].norm(dim=-1, keepdim=True) + 1e-8)
        v = sens[1] / (sens[1].norm(dim=-1, keepdim=True) + 1e-8)
        out["model_cos"] = (u * v).sum(-1).mean().item()
    return out


@torch.no_grad()
def grid_search_eta(baseline: OneStepGD, batch: ICLBatch, etas) -> tuple[float, float]:
    """Return (eta, loss) minimising the one-step-GD loss on ``batch`` over the grid ``etas``."""
    g = baseline.direction(batch.xs, batch.ys)
    losses = [_mse_half(pred, batch.yq).item() for pred in baseline.readout_path(batch.xs, batch.xq, g, etas)]
    i = int(np.argmin(losses))
    return float(etas[i]), float(losses[i])


def _query_mse_half(pred: torch.Tensor, batch: Batch) -> torch.Tensor:
    """The training loss on the query (the only position ``batch.mask`` counts): 0.5 mean (y^ - y_q)^2."""
    return _mse_half(pred, batch.targets[:, -1])


def run_comparison(cfg: ICLTrainingConfig, task, baseline: OneStepGD, *, softmax: bool, seed: int,
                   etas, labels: dict, desc: str = "", device: str | None = None) -> list[dict]:
    """Grid-search the GD step, train a layer on ``task`` on ``device`` (the sweep cell's;
    :func:`attnlab.gpu.device.get_device`) with :func:`attnlab.gpu.training.train`, and return tidy metric
    rows (see module doc).

    The loop, its per-step seeding (fresh tasks from ``(seed, step)``), progress and checkpointing come
    from the training layer; with ``ATTNLAB_CHECKPOINTS`` set, a run saves every ``eval_every`` steps
    under that folder and an interrupted run resumes there with the same rows. On a CPU the whole
    comparison (grid search, training, evaluation) runs with one thread unless ``ATTNLAB_TRAIN_THREADS``
    says otherwise (:func:`attnlab.gpu.training.cpu_threads`).
    """
    device = get_device(device)
    disable_tf32()
    with cpu_threads(device):
        return _run_comparison(cfg, task, baseline, softmax=softmax, seed=seed, etas=etas, labels=labels,
                               desc=desc, device=device)


def _run_comparison(cfg, task, baseline, *, softmax, seed, etas, labels, desc, device) -> list[dict]:
    dtype = _DTYPES[cfg.dtype]
    base = {"seed": seed, **labels}

    eval_batch = task.sample(cfg.n_eval, _generator(cfg.eval_seed, _STREAM_EVAL, device), device, dtype)
    grid_batch = task.sample(cfg.n_grid, _generator(seed, _STREAM_GRID, device), device, dtype)
    baseline.eta, _ = grid_search_eta(baseline, grid_batch, etas)

    layer = SelfAttentionRegressor(
        task.d, cfg.num_heads, cfg.key_size or task.d + 1, softmax=softmax,
        attention=cfg.attention, init_scale=cfg.init_scale, generator=_generator(seed, _STREAM_INIT, device),
        dtype=dtype, device=device)
    spec = TrainSpec(steps=cfg.steps, batch=cfg.batch_size, lr=cfg.lr, seed=seed, weight_decay=cfg.weight_decay,
                     grad_clip=cfg.clip_norm, eval_every=cfg.eval_every, betas=(cfg.beta1, cfg.beta2), eps=1e-8,
                     checkpoint_every=cfg.eval_every)

    def sample(step: int, generator: torch.Generator) -> Batch:
        return task.sample(cfg.batch_size, generator, device, dtype).as_sequences()

    def evaluate(model, step: int) -> list[dict]:
        return [{"metric": k, "value": v} for k, v in alignment_metrics(layer, baseline, eval_batch).items()]

    label = desc or "train"
    result = train(OnTokens(layer), sample, _query_mse_half, spec, evaluate=evaluate, device=device, label=label,
                   checkpoint=_checkpoint_path(cfg, seed, labels), progress=training_progress(label, cfg.steps))
    rows = [{"step": 0, "metric": "gd_eta", "value": baseline.eta, **base}]
    return rows + [{**r, **base} for r in result.rows if r["metric"] in METRICS]


def _checkpoint_path(cfg: ICLTrainingConfig, seed: int, labels: dict) -> Path | None:
    """``<ATTNLAB_CHECKPOINTS>/<hash of (config, seed, labels)>.pt``, or None when that variable is unset."""
    folder = checkpoint_dir()
    if folder is None:
        return None
    key = canonical_json({"config": cfg.to_dict(), "seed": seed, "labels": labels, "kind": type(cfg).__qualname__})
    return folder / f"icl-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pt"


def _mean_by_step(rows: list[dict], metric: str, **match) -> dict[int, float]:
    """Mean over seeds of ``metric`` at each step, among rows whose labels equal ``match``."""
    acc: dict[int, list[float]] = {}
    for r in rows:
        if r["metric"] == metric and all(r.get(k) == v for k, v in match.items()):
            acc.setdefault(r["step"], []).append(r["value"])
    return {s: float(np.mean(v)) for s, v in sorted(acc.items())}


def summarize_training(rows: list[dict], **match) -> dict[str, float]:
    """Initial (step 0) and final (last step) seed-means, and the ratios the reference data names.

    Returns ``loss_tf_final``, ``loss_gd``, ``loss_trivial``, ``loss_ratio_tf_over_gd_final``,
    ``preds_diff_final``, ``model_diff_final``, ``model_cos_final``, ``preds_diff_final_over_initial``,
    ``model_diff_final_over_initial``, ``model_cos_final_minus_initial``.
    """
    curves = {m: _mean_by_step(rows, m, **match) for m in METRICS}
    if not curves["loss_tf"]:
        return {}
    first, last = min(curves["loss_tf"]), max(curves["loss_tf"])
    final = {m: c[last] for m, c in curves.items()}
    init = {m: c[first] for m, c in curves.items()}
    return {
        "loss_tf_final": final["loss_tf"],
        "loss_gd": final["loss_gd"],
        "loss_trivial": final["loss_trivial"],
        "loss_ratio_tf_over_gd_final": final["loss_tf"] / final["loss_gd"],
        "preds_diff_final": final["preds_diff"],
        "model_diff_final": final["model_diff"],
        "model_cos_final": final["model_cos"],
        "preds_diff_final_over_initial": final["preds_diff"] / init["preds_diff"],
        "model_diff_final_over_initial": final["model_diff"] / init["model_diff"],
        "model_cos_final_minus_initial": final["model_cos"] - init["model_cos"],
    }
