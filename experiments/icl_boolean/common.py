r"""Shared pieces of the icl_boolean figures: evaluation prompts, baseline curves, model training and curves.

Every learner is scored on the *same* evaluation prompts (drawn by the theory/ sampler from a stream of the
cell's seed), per position, in both scoring modes (``clean``: a 0 prediction scores 1/2; ``official``: a 0
is wrong and null predicts -1), with the official 90% bootstrap band (1000 resamples over prompts).
Models come from the training layer (:mod:`attnlab.gpu.training`): read-in Linear(n -> d_model), read-out
Linear(d_model -> 1), fresh prompts every step from the torch sampler, the official BCE loss over all N
positions. After training, each model's causality is measured: perturbing the tokens after position t must
leave the outputs before t unchanged (row ``causality_max_change``; ``TOL.gpu_float32`` tolerance).

Rows are tidy, one schema: ``task, n_dims, n_points, prompts, learner, mode, position, metric, value``
(``position`` -1 for per-run metrics such as ``train_loss``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.experiments.config import ExperimentConfig
from attnlab.theory.errors import ConfigError
from attnlab.theory.icl_boolean import TASKS, bootstrap_band, predict_packed, sample_task, score
from attnlab.theory.icl_boolean.hypotheses import enumerable

__all__ = ["ModelConfig", "parse_cell", "eval_draw", "baseline_rows", "train_and_score", "curve_rows",
           "bayes_available", "last_value"]

_MODE_DEPENDENT = ("null", "averaging")  # baselines whose official predictions differ (null -1, averaging at 1)
_STREAM_EVAL = 7919  # the evaluation prompts' seed offset (distinct from training streams)


@dataclass(frozen=True)
class ModelConfig(ExperimentConfig):
    """Training fields shared by the figures that train models (official defaults where it has them).

    ``models`` are training-layer kinds (gpt2, lstm, attention_free, looped); width ``d_model``,
    ``n_layers``, ``n_heads``; Adam(W with weight decay 0) at ``lr``, ``steps`` of ``batch`` fresh prompts;
    ``grad_clip`` 0 = none (official); ``n_eval`` evaluation prompts (official 1280)."""

    models: tuple[str, ...] = ("gpt2",)
    d_model: int = 256
    n_layers: int = 12
    n_heads: int = 8
    lr: float = 1e-4
    steps: int = 15_000
    batch: int = 64
    grad_clip: float = 0.0
    n_eval: int = 1280

    def validate(self) -> None:
        from attnlab.gpu.training.spec import MODEL_KINDS  # no torch needed

        for m in self.models:
            if m not in MODEL_KINDS:
                raise ConfigError(f"unknown model {m!r}; valid: {MODEL_KINDS}")
        for name in ("d_model", "n_layers", "n_heads", "steps", "batch", "n_eval"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.lr > 0 or self.grad_clip < 0:
            raise ConfigError(f"lr must be > 0 and grad_clip >= 0, got {self.lr}, {self.grad_clip}")


def parse_cell(cell: str) -> tuple[str, int, int]:
    """``"task:n:points"`` -> (task, n, points), with a ConfigError naming what is valid."""
    parts = cell.split(":")
    if len(parts) != 3 or parts[0] not in TASKS or not parts[1].isdigit() or not parts[2].isdigit():
        raise ConfigError(f"cell {cell!r} must be 'task:n_dims:n_points' with task in {TASKS}")
    task, n, N = parts[0], int(parts[1]), int(parts[2])
    if not 1 <= n <= 63 or N < 2:
        raise ConfigError(f"cell {cell!r}: need 1 <= n_dims <= 63 and n_points >= 2")
    return task, n, N


def eval_draw(task, n, N, n_eval, seed, **options):
    """The evaluation prompts of a cell: the theory/ sampler on a stream of (seed, n, N) of its own
    (``options``: ``teaching``, ``start_idx``)."""
    s = int(np.random.SeedSequence([seed, _STREAM_EVAL, n, N]).generate_state(1)[0])
    return sample_task(task, n, N, n_eval, s, **options)


def bayes_available(task: str, n: int) -> bool:
    """Whether the exact Bayes baseline is computable (enumerable class, or parity / NN rule)."""
    return task in ("parity", "nearest_neighbour") or enumerable(task, n)


def curve_rows(pred, y, base: dict, seed: int, official_pred=None) -> list[dict]:
    """Accuracy and band rows, both scoring modes, for one learner's predictions ``(M, N)``
    (``official_pred``: the learner's official-mode predictions where they differ, e.g. null = -1)."""
    rows = []
    for mode in ("clean", "official"):
        p = official_pred if mode == "official" and official_pred is not None else pred
        s = score(p, y, mode)
        lo, hi = bootstrap_band(s, seed=seed)
        for i, (a, l_, h) in enumerate(zip(s.mean(axis=0), lo, hi, strict=True)):
            for metric, v in (("accuracy", a), ("band_lo", l_), ("band_hi", h)):
                rows.append({**base, "mode": mode, "position": i + 1, "metric": metric, "value": float(v)})
    return rows


def baseline_rows(d, baselines, base: dict, seed: int, **bayes_options) -> list[dict]:
    rows = []
    for b in baselines:
        if b == "bayes" and not bayes_available(d.task, d.n_dims):
            continue
        if b == "elimination" and d.task not in ("conjunction", "disjunction", "sparse_disjunction",
                                                  "mono_conjunction", "mono_conjunction_teach", "conjunction_teach"):
            continue
        if b == "gauss_elim" and d.task not in ("parity", "sparse_parity"):
            continue
        prefix = {"teaching": d.teach_len is not None} if d.task.endswith("_teach") else {}
        if b == "bayes_label_only":
            pred = predict_packed("bayes", d.xp, d.y, d.n_dims, d.task, ignore_input_likelihood=True, **prefix)
        else:
            opts = {**bayes_options, **prefix} if b == "bayes" else {}
            pred = predict_packed(b, d.xp, d.y, d.n_dims, d.task, **opts)
        official = predict_packed(b, d.xp, d.y, d.n_dims, d.task, "official") if b in _MODE_DEPENDENT else None
        rows += curve_rows(pred, d.y, {**base, "learner": b}, seed, official)
    return rows


def train_and_score(cfg: ModelConfig, kind: str, task: str, n: int, N: int, seed: int, evals: dict,
                    base: dict, device=None, **sampler_options) -> list[dict]:
    """Train one model on fresh ``task`` prompts; score it on each evaluation draw in ``evals``
    (name -> TaskDraw); add train_loss and causality rows."""
    import torch

    from attnlab.gpu.device import get_device
    from attnlab.gpu.icl_boolean.prompts import bce_loss, encode, sampler_for_training, scores_at_x
    from attnlab.gpu.training import ModelSpec, TrainSpec, build_model, train

    dev = get_device(device)  # chosen by the runner (gpu/device.py), part of the cell's key
    spec = ModelSpec(kind, d_in=n, d_out=1, d_model=cfg.d_model, n_layers=cfg.n_layers, n_heads=cfg.n_heads,
                     max_len=2 * N)
    model = build_model(spec, device=dev, seed=seed)
    tspec = TrainSpec(steps=cfg.steps, batch=cfg.batch, lr=cfg.lr, seed=seed, grad_clip=cfg.grad_clip,
                      eval_every=cfg.steps)
    res = train(model, sampler_for_training(task, n, N, cfg.batch, **sampler_options), bce_loss, tspec,
                device=dev, label=f"{kind} {task} n={n}", progress=lambda *a: None)
    rows = [{**base, "learner": kind, "mode": "clean", "position": -1,
             "metric": "train_loss", "value": float(r["value"])} for r in res.rows if r["metric"] == "train_loss"][-1:]
    model.eval()
    for name, d in evals.items():
        with torch.no_grad():
            X = torch.tensor(d.X, dtype=torch.float32, device=dev)
            y = torch.tensor(d.y, dtype=torch.float32, device=dev)
            pred = np.concatenate([scores_at_x(model(encode(X[s:s + 256], y[s:s + 256]))).cpu().double().numpy()
                                   for s in range(0, X.shape[0], 256)])
        rows += curve_rows(pred, d.y, {**base, "prompts": name, "learner": kind}, seed)
    rows.append({**base, "learner": kind, "mode": "clean", "position": -1, "metric": "causality_max_change",
                 "value": _causality(model, evals[next(iter(evals))], dev)})
    return rows


def _causality(model, d, dev) -> float:
    """Largest change of an output before token t when every token from t on is replaced by noise."""
    import torch

    from attnlab.gpu.icl_boolean.prompts import encode

    g = torch.Generator(device="cpu").manual_seed(0)
    X = torch.tensor(d.X[:16], dtype=torch.float32)
    y = torch.tensor(d.y[:16], dtype=torch.float32)
    tok = encode(X, y).to(dev)
    worst = 0.0
    with torch.no_grad():
        ref = model(tok)
        for t in range(1, tok.shape[1]):
            other = tok.clone()
            other[:, t:] = torch.randn(other[:, t:].shape, generator=g).to(dev)
            worst = max(worst, (model(other)[:, :t] - ref[:, :t]).abs().max().item())
    return worst


def last_value(rows, **match) -> float:
    """The accuracy at the last position of the rows matching ``match`` (clean mode unless given)."""
    match = {"mode": "clean", "metric": "accuracy", **match}
    sel = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    if not sel:
        return float("nan")
    last = max(r["position"] for r in sel)
    return float(np.mean([r["value"] for r in sel if r["position"] == last]))
