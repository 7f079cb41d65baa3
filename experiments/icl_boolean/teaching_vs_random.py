r"""Teaching sequences vs random examples (the paper's sample-efficiency result; unverified: arXiv:2310.03016, PDF not read).

A model is trained on prompts that start with the teaching sequence of their function (``*_teach`` tasks),
then evaluated on fresh teaching prompts and on random prompts of the same function and forcing law (the
prefix left out). Exact Bayes (which knows the prefix law), elimination, 1-NN and null are scored beside it
on the same prompts. After the prefix (at most k+1, k+2 or sum(k_i+1) rows) Bayes is exact on teaching
prompts, because the sequences are teaching sets (claim ``teaching-sets-identify``).

Smoke: monotone conjunctions (official ``teach_conjunction``) at n = 8, 30 points, a tiny GPT-2-style model
for 60 steps: a pipeline check. Paper: the three teaching tasks at n = 28 with 40 points, 12 x 256, 8 heads.
``train_teach_fraction`` < 1 trains on a teach / no-teach mixture (each prompt has its prefix with that
probability): the "two algorithms" experiment ([unverified]: recalled, not read in the paper; the public code has no such sampler),
e.g. ``--set train_teach_fraction=0.5``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

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

__all__ = ["Config", "run", "summarize", "FIGURE"]

_TEACH = ("mono_conjunction_teach", "conjunction_teach", "dnf3_teach")
_BASELINES = ("null", "knn1", "elimination", "bayes")


@dataclass(frozen=True)
class Config(ModelConfig):
    """``cells`` of teaching tasks ``task:n:points``; model fields from ModelConfig."""

    cells: tuple[str, ...] = ("mono_conjunction_teach:28:40", "conjunction_teach:28:40", "dnf3_teach:28:40")
    train_teach_fraction: float = 1.0

    def validate(self) -> None:
        super().validate()
        if not 0 < self.train_teach_fraction <= 1:
            raise ConfigError(f"train_teach_fraction must lie in (0, 1], got {self.train_teach_fraction}")
        for c in self.cells:
            if parse_cell(c)[0] not in _TEACH:
                raise ConfigError(f"cell {c!r}: the task must be one of {_TEACH}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), cells=("mono_conjunction_teach:5:9",), models=("gpt2",), d_model=8, n_layers=1,
                       n_heads=2, steps=2, batch=5, n_eval=13)

    @classmethod
    def smoke(cls):
        return cls(cells=("mono_conjunction_teach:8:30",), models=("gpt2",), d_model=32, n_layers=2, n_heads=2,
                   lr=3e-3, steps=60, batch=32, n_eval=256)

    @classmethod
    def paper(cls):
        return cls(models=("gpt2",), seeds=(0, 1, 2))


def run(cfg: Config, seed: int, device=None) -> list[dict]:
    rows = []
    for cell in cfg.cells:
        task, n, N = parse_cell(cell)
        evals = {"teach": eval_draw(task, n, N, cfg.n_eval, seed),
                 "random": eval_draw(task, n, N, cfg.n_eval, seed, teaching=False)}
        for name, d in evals.items():
            rows += baseline_rows(d, _BASELINES, {"task": task, "n_dims": n, "n_points": N, "prompts": name}, seed)
        for kind in cfg.models:
            rows += train_and_score(cfg, kind, task, n, N, seed, evals,
                                    {"task": task, "n_dims": n, "n_points": N, "prompts": "teach"},
                                    device=device, teach_fraction=cfg.train_teach_fraction)
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Per (task, learner, prompt type): last-position accuracy and the mean accuracy after every possible
    prefix (positions > n + 2, or > 3(n + 1) for DNF) where the prompt is long enough."""
    out = {}
    keys = sorted({(r["task"], r["n_dims"], r["learner"], r["prompts"]) for r in rows if r["metric"] == "accuracy"})
    for task, n, learner, prompts in keys:
        tag = f"{task}_n{n}_{learner}_{prompts}"
        out[f"{tag}_last_acc"] = last_value(rows, task=task, n_dims=n, learner=learner, prompts=prompts)
        start = 3 * (n + 1) if task == "dnf3_teach" else n + 2
        vals = [r["value"] for r in rows if (r["task"], r["n_dims"], r["learner"], r["prompts"]) ==
                (task, n, learner, prompts) and r["metric"] == "accuracy" and r["mode"] == "clean"
                and r["position"] > start]
        out[f"{tag}_post_prefix_acc"] = float(np.mean(vals)) if vals else float("nan")
    return out


FIGURE = Figure(
    id="icl_boolean/teaching-vs-random",
    paper="icl_boolean",
    title="Teaching-sequence prompts vs random prompts: a trained model beside exact Bayes and elimination",
    locator="unverified: arXiv:2310.03016, the teaching-sequence figures (PDF not read; abstract: 'When provided a teaching sequence ... Transformers learn more sample-efficiently'); sequences from satwik77/incontext-bool src/bool_tasks.py TeachConjunction, TeachBiConjunction, TeachDNF",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.icl_boolean.curves:plot",
    choices="random prompts = the same function and forcing law with the teaching prefix left out (forcing 0.4 as in "
    "the teach tasks, not the plain tasks' 0.3); the model is trained on teaching prompts only; prefixes longer "
    "than the prompt are cut (the official code fails there); clean scoring in the summary",
)
