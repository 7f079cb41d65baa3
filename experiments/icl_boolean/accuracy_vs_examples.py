r"""Accuracy vs number of in-context examples, per task, for trained models beside every baseline (the
paper's main figure and its last-position table; unverified: arXiv:2310.03016, PDF not read).

For each cell ``task:n:points``: train each model kind on fresh prompts of the task, then score models and
baselines (null, majority, averaging, 1-NN, 3-NN, elimination on conjunction-like tasks, Gaussian
elimination on parities, exact Bayes where enumerable) on the same ``n_eval`` evaluation prompts, per
position, clean and official scoring.

Smoke: n = 8, 30 points, conjunction, three tiny models (2 layers x 32 wide), 60 steps of 32 prompts, 256
evaluation prompts: a pipeline check (the models stay near the majority rate), not a result.
Paper: n = 28 with 40 points for the non-parity tasks; Parity-(10,2), Parity-(14,2) and Parity-20 with 140
points [unverified: recalled, not read in the paper]; 12 layers x 256, 8 heads, Adam lr 1e-4,
batch 64, 15 000 steps (README command [src]), 1280 evaluation prompts (eval.py [src]).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from attnlab.experiments.figures import Figure
from attnlab.experiments.icl_boolean.common import (
    ModelConfig,
    baseline_rows,
    eval_draw,
    last_value,
    parse_cell,
    train_and_score,
)
from attnlab.theory.errors import ConfigError
from attnlab.theory.icl_boolean import BASELINES

__all__ = ["Config", "run", "summarize", "FIGURE"]

_PAPER_CELLS = ("conjunction:28:40", "disjunction:28:40", "sparse_disjunction:28:40", "dnf3:28:40", "cnf3:28:40",
                "sparse_majority:28:40", "majority:28:40", "threshold:28:40", "int_halfspace:28:40",
                "sparse_parity:10:140", "sparse_parity:14:140", "parity:20:140", "nearest_neighbour:28:40")


@dataclass(frozen=True)
class Config(ModelConfig):
    """``cells`` ``task:n:points``; ``baselines`` from attnlab.theory.icl_boolean.BASELINES; model fields from
    ModelConfig; ``start_idx`` of the nearest-neighbour task."""

    cells: tuple[str, ...] = _PAPER_CELLS
    baselines: tuple[str, ...] = BASELINES
    start_idx: int = 20

    def validate(self) -> None:
        super().validate()
        for c in self.cells:
            parse_cell(c)
        for b in self.baselines:
            if b not in BASELINES:
                raise ConfigError(f"unknown baseline {b!r}; valid: {BASELINES}")
        if not self.cells or self.start_idx < 1:
            raise ConfigError("cells must be non-empty and start_idx >= 1")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), cells=("conjunction:5:7", "parity:5:7"), models=("gpt2",), d_model=8, n_layers=1,
                       n_heads=2, steps=2, batch=5, n_eval=13)

    @classmethod
    def smoke(cls):
        return cls(cells=("conjunction:8:30",), models=("gpt2", "lstm", "attention_free"),
                   d_model=32, n_layers=2, n_heads=2, lr=3e-3, steps=60, batch=32, n_eval=256)

    @classmethod
    def paper(cls):
        return cls(models=("gpt2", "lstm", "attention_free"), seeds=(0, 1, 2, 3, 4))


def run(cfg: Config, seed: int, device=None) -> list[dict]:
    rows = []
    for cell in cfg.cells:
        task, n, N = parse_cell(cell)
        opts = {"start_idx": cfg.start_idx} if task == "nearest_neighbour" else {}
        d = eval_draw(task, n, N, cfg.n_eval, seed, **opts)
        base = {"task": task, "n_dims": n, "n_points": N, "prompts": "random"}
        rows += baseline_rows(d, cfg.baselines, base, seed, **opts)
        for kind in cfg.models:
            rows += train_and_score(cfg, kind, task, n, N, seed, {"random": d}, base, device=device, **opts)
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Last-position clean accuracy per (task, learner), each model's gap to the best baseline, and the
    largest causality violation of any trained model."""
    out = {}
    learners = sorted({(r["task"], r["n_dims"], r["learner"]) for r in rows if r["metric"] == "accuracy"})
    for task, n, learner in learners:
        out[f"{task}_n{n}_{learner}_last_acc"] = last_value(rows, task=task, n_dims=n, learner=learner)
    models = {r["learner"] for r in rows if r["metric"] == "train_loss"}
    for task, n in sorted({(t, n) for t, n, _ in learners}):
        best = max((v for k, v in out.items() if k.startswith(f"{task}_n{n}_") and not any(
            k == f"{task}_n{n}_{m}_last_acc" for m in models)), default=float("nan"))
        for m in models:
            out[f"{task}_n{n}_{m}_gap_to_best_baseline"] = best - out.get(f"{task}_n{n}_{m}_last_acc", float("nan"))
    caus = [r["value"] for r in rows if r["metric"] == "causality_max_change"]
    out["max_causality_change"] = max(caus) if caus else float("nan")
    return out


FIGURE = Figure(
    id="icl_boolean/accuracy-vs-examples",
    paper="icl_boolean",
    title="Accuracy vs in-context examples per task: trained models beside null, averaging, k-NN, elimination, "
    "Gaussian elimination and exact Bayes",
    locator="unverified: arXiv:2310.03016, the main accuracy-vs-examples figure and Table 1 (PDF not read; abstract: Transformers can nearly match the optimal learning algorithm for 'simpler' tasks)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.icl_boolean.curves:plot",
    choices="clean scoring in the summary (a 0 prediction scores 1/2; official rows, where a 0 is wrong and null "
    "predicts -1, are stored beside); models from attnlab.gpu.training (our GPT-2-style decoder, LSTM, "
    "attention-free model; not HF GPT2Model); Adam via AdamW with weight decay 0, no gradient clipping; k-NN ties "
    "to the earliest point; Bayes only where the class is enumerable (skipped otherwise); no paper numbers (the "
    "PDF was not read)",
)
