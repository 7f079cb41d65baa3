r"""F2: loss of one GD step vs the trained softmax self-attention layer as a function of d.

Paper: Li, Song, Xia, Yu, Zhou, NeurIPS 2024, figure on p. 9 (n = 200) [src: deep-diver/neurips2024
digest]: "Gradient Descent" vs "Trained Transformer" loss against the embedding size d; reported
qualitatively (the two are similar across d). The d values of the sweep were not readable, so
``d_values`` is our choice.

Each d is one training run (as in F1); the plotted value is the final evaluation loss.
Smoke: n = 200 with query-row attention (same output as full attention for one layer, O(n d k) per
task instead of O(n^2 k)), d in (5, 20), one seed, a short run at lr 3e-3; medium: 2000 steps at lr 1e-3.
"""

from __future__ import annotations

from dataclasses import dataclass

from attnlab.experiments.figures import Figure
from attnlab.experiments.softmax_icl.common import CHOICES, SoftmaxICLConfig, run_softmax_comparison
from attnlab.experiments.softmax_icl.icl_training import summarize_training
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE"]


@dataclass(frozen=True)
class Config(SoftmaxICLConfig):
    """F2 config: ``d_values`` (ours: the paper's sweep values are unreadable); other fields as in F1."""

    n: int = 200
    d_values: tuple[int, ...] = (5, 10, 20, 40)

    def validate(self) -> None:
        super().validate()
        if not self.d_values or any(d < 1 for d in self.d_values):
            raise ConfigError(f"d_values must list dimensions >= 1, got {self.d_values}")
        if len(set(self.d_values)) != len(self.d_values):
            raise ConfigError(f"d_values must be distinct, got {self.d_values}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(n=5, d_values=(3, 7), steps=3, batch_size=7, eval_every=2, n_eval=11, n_grid=13)

    @classmethod
    def smoke(cls):
        """n = 200, query-row attention, d in (5, 20), 400 steps of 256 tasks at lr 3e-3, one seed (~30 s on a 2-core CPU)."""
        return cls(n=200, d_values=(5, 20), seeds=(0,), steps=400, batch_size=256, lr=3e-3, eval_every=50,
                   n_eval=1000, n_grid=2000, attention="query")

    @classmethod
    def medium(cls):
        """n = 200, query-row attention, d in (5, 20), 2000 steps of 256 tasks at lr 1e-3, one seed (minutes on a CPU)."""
        return cls(n=200, d_values=(5, 20), seeds=(0,), steps=2000, batch_size=256, eval_every=250,
                   n_eval=1000, n_grid=2000, attention="query")

    @classmethod
    def paper(cls):
        """n = 200 (p. 9), 10 repetitions [src: digest], d in (5, 10, 20, 40) (ours), full attention (GPU)."""
        return cls(n=200, d_values=(5, 10, 20, 40), seeds=tuple(range(10)), steps=5000, batch_size=2048,
                   eval_every=100, n_eval=1000, n_grid=10_000, attention="full")


def run(cfg: Config, seed: int, device: str | None = None) -> list[dict]:
    """Rows of one training run per d, labelled ``n`` and ``d`` (schema of F1)."""
    rows: list[dict] = []
    for d in cfg.d_values:
        rows += run_softmax_comparison(cfg, d, seed, device=device)
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Final losses per d and the worst (furthest from 1) ratio TF/GD across d."""
    out: dict[str, float] = {}
    ratios = []
    for d in sorted({r["d"] for r in rows}):
        s = summarize_training(rows, d=d)
        out[f"loss_tf_final_d{d}"] = s["loss_tf_final"]
        out[f"loss_gd_d{d}"] = s["loss_gd"]
        out[f"loss_ratio_tf_over_gd_d{d}"] = s["loss_ratio_tf_over_gd_final"]
        ratios.append(s["loss_ratio_tf_over_gd_final"])
    if ratios:
        out["loss_ratio_tf_over_gd_worst"] = max(ratios, key=lambda r: abs(r - 1.0))
    return out


FIGURE = Figure(
    id="softmax_icl/fig2-loss-vs-d",
    paper="softmax_icl",
    title="One-step GD vs trained softmax self-attention: final loss against d (n = 200)",
    locator="NeurIPS 2024 version (OpenReview SFaEENfEyw), figure on p. 9 (loss vs d); figure number unverified "
    "(src: deep-diver/neurips2024 figure-caption digest, paper not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.softmax_icl.loss_vs_d:plot",
    choices=CHOICES + " Sweep (ours): d_values; each d is a separate training run, final eval loss plotted.",
)
