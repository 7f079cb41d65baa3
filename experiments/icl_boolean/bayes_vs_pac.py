r"""Bayes-optimal vs the paper's "optimal" PAC learner, per position (derived: ``proofs_checks/icl_boolean/DERIVATIONS.md#bayes-dominance``).

On conjunction prompts (official law: literals .7/.15/.15, each point forced positive w.p. .3), compare
exact Bayes (prior and the biased input sampler's likelihood :math:`p(x\mid w) \propto 0.7 + 0.3\cdot 2^k
1[x \models w]`), the label-consistency-only posterior (prior x consistency, input likelihood ignored),
literal elimination, 1-NN, averaging and null, position by position. Where Bayes is above elimination a
model trained on the task distribution can legitimately beat the PAC learner; optional trained models show
where they sit.

Smoke: n = 6, 40 points, 600 prompts, no model. Paper: n = 8, 70 points, 1280 prompts, a 12 x 256 GPT-2-style
model trained on the same distribution (our choice: the paper has no such experiment).
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
from attnlab.theory.icl_boolean.hypotheses import enumerable

__all__ = ["Config", "run", "summarize", "FIGURE"]

_LEARNERS = ("bayes", "bayes_label_only", "elimination", "knn1", "averaging", "null")


@dataclass(frozen=True)
class Config(ModelConfig):
    """``cell`` ``task:n:points`` (an enumerable conjunction-like task); ``models`` may be empty."""

    cell: str = "conjunction:8:70"

    def validate(self) -> None:
        super().validate()
        task, n, _ = parse_cell(self.cell)
        if task not in ("conjunction", "disjunction", "mono_conjunction") or not enumerable(task, n):
            raise ConfigError(f"cell {self.cell!r}: need conjunction, disjunction or mono_conjunction with an "
                              f"enumerable n (conjunction: n <= 11)")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), cell="conjunction:5:11", n_eval=17)

    @classmethod
    def smoke(cls):
        return cls(cell="conjunction:6:40", models=(), n_eval=600)

    @classmethod
    def paper(cls):
        return cls(cell="conjunction:8:70", models=("gpt2",), seeds=(0, 1, 2))


def run(cfg: Config, seed: int, device=None) -> list[dict]:
    task, n, N = parse_cell(cfg.cell)
    d = eval_draw(task, n, N, cfg.n_eval, seed)
    base = {"task": task, "n_dims": n, "n_points": N, "prompts": "random"}
    rows = baseline_rows(d, _LEARNERS, base, seed)
    for kind in cfg.models:
        rows += train_and_score(cfg, kind, task, n, N, seed, {"random": d}, base, device=device)
    return rows


def _curve(rows, learner):
    sel = [r for r in rows if r["learner"] == learner and r["metric"] == "accuracy" and r["mode"] == "clean"]
    pos = sorted({r["position"] for r in sel})
    return np.array(pos), np.array([np.mean([r["value"] for r in sel if r["position"] == p]) for p in pos])


def summarize(rows: list[dict]) -> dict[str, float]:
    """Largest Bayes - elimination gap and its position, the last-position gaps, and where the
    label-only posterior trails elimination."""
    pos, bayes = _curve(rows, "bayes")
    _, elim = _curve(rows, "elimination")
    _, label_only = _curve(rows, "bayes_label_only")
    gap = bayes - elim
    out = {
        "max_gap_bayes_minus_elimination": float(gap.max()),
        "position_of_max_gap": float(pos[int(gap.argmax())]),
        "last_gap_bayes_minus_elimination": float(gap[-1]),
        "min_gap_label_only_minus_elimination": float((label_only - elim).min()),
        "max_gap_bayes_minus_label_only": float((bayes - label_only).max()),
    }
    for learner in sorted({r["learner"] for r in rows if r["metric"] == "accuracy"}):
        out[f"{learner}_last_acc"] = last_value(rows, learner=learner)
    return out


FIGURE = Figure(
    id="icl_boolean/bayes-vs-pac",
    paper="icl_boolean",
    title="Exact Bayes vs literal elimination (the PAC learner) per position, conjunctions",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#bayes-dominance; not a figure of the paper",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.icl_boolean.curves:plot",
    choices="clean scoring; Bayes by enumerating all 3^n conjunctions with the official prior and input law; "
    "label-only = the same prior with the input likelihood dropped",
)
