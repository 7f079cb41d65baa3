r"""F1 (and appendix F3): trained softmax self-attention vs one GD step over training.

Paper: Li, Song, Xia, Yu, Zhou, NeurIPS 2024, figure on p. 9 (n = 200, d = 20) and appendix
pp. 23-26 (n = 25, d = 20) [src: deep-diver/neurips2024 figure-caption digest]. Panels: the two
losses vs training steps; Preds Diff, Model Diff and Model Cos vs training steps. The paper reports
them qualitatively only: similar losses, differences decrease, cosine increases.

Smoke: n = 25, d = 20 (the appendix setting, F3), a short run at a higher learning rate, one seed;
medium: the same setting with 4000 steps at lr 1e-3. Paper: n = 200, d = 20, 10 repetitions
(``replace(Config.paper(), n=25)`` gives F3 at paper scale).
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
    """F1/F3 config: ``n`` tokens, ``d`` dims; all other fields as in SoftmaxICLConfig / ICLTrainingConfig.

    Choices (the paper is silent): steps 5000, batch 2048, AdamW lr 1e-3 betas (0.9, 0.98), clip 0.001,
    init VarianceScaling(0.002), one head, key size d + 1 (von Oswald's single-layer defaults); eval every
    100 steps on 10^3 fixed tasks (the paper's "10^3 tasks"); GD step from 10^4 training tasks.
    """

    d: int = 20

    def validate(self) -> None:
        super().validate()
        if self.d < 1:
            raise ConfigError(f"d must be >= 1, got {self.d}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(n=5, d=3, steps=3, batch_size=7, eval_every=2, n_eval=11, n_grid=13)

    @classmethod
    def smoke(cls):
        """n = 25 (appendix F3 setting), 600 steps of 1024 tasks at lr 3e-3, query-row attention (same
        output as full for one layer), one seed: about 15 s on a 2-core CPU."""
        return cls(n=25, d=20, seeds=(0,), steps=600, batch_size=1024, lr=3e-3, eval_every=50, n_eval=1000,
                   n_grid=2000, attention="query")

    @classmethod
    def medium(cls):
        """n = 25, 4000 steps of 512 tasks at lr 1e-3, full attention, one seed: several minutes on a CPU."""
        return cls(n=25, d=20, seeds=(0,), steps=4000, batch_size=512, eval_every=200, n_eval=1000, n_grid=2000)

    @classmethod
    def paper(cls):
        """n = 200, d = 20 (p. 9), 10 independent repetitions [src: digest], full attention (GPU)."""
        return cls(n=200, d=20, seeds=tuple(range(10)), steps=5000, batch_size=2048, eval_every=100,
                   n_eval=1000, n_grid=10_000, attention="full")


def run(cfg: Config, seed: int, device: str | None = None) -> list[dict]:
    """Tidy rows ``{"step", "metric", "value", "seed", "n", "d"}`` (metrics: see attnlab.experiments.softmax_icl.icl_training)."""
    return run_softmax_comparison(cfg, cfg.d, seed, device=device)


def summarize(rows: list[dict]) -> dict[str, float]:
    """Seed-mean initial/final values and the ratios named in paper_figs/softmax_icl/reference.json."""
    return summarize_training(rows)


FIGURE = Figure(
    id="softmax_icl/fig1-training",
    paper="softmax_icl",
    title="Trained softmax self-attention vs one-step GD on softmax regression, over training",
    locator="NeurIPS 2024 version (OpenReview SFaEENfEyw), figure on p. 9 (n=200) and appendix figures pp. 23-26 (n=25); "
    "figure numbers unverified (src: deep-diver/neurips2024 figure-caption digest, paper not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.softmax_icl.training:plot",
    choices=CHOICES,
)
