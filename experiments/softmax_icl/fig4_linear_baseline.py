r"""F4: von Oswald et al.'s baseline, one linear self-attention layer vs one GD step on linear regression.

von Oswald, Niklasson, Randazzo, Sacramento, Mordvintsev, Zhmoginov, Vladymyrov, "Transformers learn
in-context by gradient descent" (ICML 2023); code google-research/self-organising-systems,
``transformers_learn_icl_by_gd`` (``src/data.py``, ``src/attn.py``, ``src/train.py``, ``src/config.py``,
``constructed_token_setup.ipynb``). The softmax-regression paper builds on this comparison.

Setting (all from that code): d = 10, N = 10, x ~ U(-0.5, 0.5) (the code's U(-r/2, r/2) with r = 1;
its docstring's U(-1, 1) is wrong, spec pitfall 7), w ~ N(0, I), one linear self-attention layer
(one head, key size 11, no softmax, no bias/LN/MLP), VarianceScaling(0.002) init, AdamW lr 1e-3
betas (0.9, 0.98), global-norm clip 0.001, 2048 fresh tasks per step, 5000 steps, prediction = minus
the last entry of the query token, GD step size by grid search over [0.001, 25) step 0.1 on 10^4
tasks, metrics every 100 steps on 10^4 fixed tasks.

Reference [derived, Monte Carlo 400k tasks, spec section 4]: optimal one-step GD loss ~ 0.207
(eta ~ 6.05), zero predictor 0.417 (with U(-1, 1) inputs: 0.826 and 1.667).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from attnlab.experiments.figures import Figure
from attnlab.experiments.softmax_icl.icl_tasks import LinearRegressionTask
from attnlab.experiments.softmax_icl.icl_training import ICLTrainingConfig, run_comparison, summarize_training
from attnlab.gpu.softmax_icl.gd_predictors import OneStepGDLinear
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE"]


@dataclass(frozen=True)
class Config(ICLTrainingConfig):
    """von Oswald's single-layer linear setting (training fields: ICLTrainingConfig's defaults are theirs).

    Attributes:
        N: context pairs (``dataset_size`` = 10, src/config.py).
        d: input dimension (``input_size`` = 10).
        input_range: r; x ~ U(-r/2, r/2) (``input_range`` = 1, src/data.py code, not its docstring).
        weight_scale: w ~ N(0, weight_scale^2 I) (``weight_scale`` = 1).
    """

    N: int = 10
    d: int = 10
    input_range: float = 1.0
    weight_scale: float = 1.0

    def validate(self) -> None:
        super().validate()
        if self.N < 1 or self.d < 1:
            raise ConfigError(f"N and d must be >= 1, got N={self.N}, d={self.d}")
        for name in ("input_range", "weight_scale"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{name} must be finite and > 0, got {value}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(N=5, d=3, steps=3, batch_size=7, eval_every=2, n_eval=11, n_grid=13)

    @classmethod
    def smoke(cls):
        """500 steps at lr 3e-3 (ours; von Oswald: 5000 at 1e-3), eval every 50, query-row attention
        (same output), all else von Oswald's: about 10 s on a 2-core CPU. Reaches the GD loss within 1%."""
        return cls(seeds=(0,), steps=500, lr=3e-3, eval_every=50, attention="query")

    @classmethod
    def medium(cls):
        """von Oswald's full setting (5000 steps at lr 1e-3), one seed, query-row attention: 2-3 min on CPU."""
        return cls(seeds=(0,), steps=5000, attention="query")

    @classmethod
    def paper(cls):
        """5000 steps of 2048 tasks (src/config.py); 5 seeds (ours: the notebook shows one run)."""
        return cls(seeds=tuple(range(5)), steps=5000, attention="full")


def run(cfg: Config, seed: int, device: str | None = None) -> list[dict]:
    """Tidy rows ``{"step", "metric", "value", "seed", "N", "d"}`` (metrics: see attnlab.experiments.softmax_icl.icl_training)."""
    task = LinearRegressionTask(N=cfg.N, d=cfg.d, input_range=cfg.input_range, weight_scale=cfg.weight_scale)
    return run_comparison(cfg, task, OneStepGDLinear(), softmax=False, seed=seed, etas=cfg.eta_values(),
                          labels={"N": cfg.N, "d": cfg.d}, desc=f"linear N={cfg.N} d={cfg.d} seed={seed}",
                          device=device)


def summarize(rows: list[dict]) -> dict[str, float]:
    """Seed-mean initial/final values; ``loss_trivial`` is the zero predictor's loss (0.417 reference)."""
    return summarize_training(rows)


FIGURE = Figure(
    id="softmax_icl/fig4-linear-baseline",
    paper="softmax_icl",
    title="Baseline (von Oswald et al.): linear self-attention vs one GD step on linear regression",
    locator="google-research/self-organising-systems transformers_learn_icl_by_gd, constructed_token_setup.ipynb",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.softmax_icl.training:plot",
    choices=(
        "All settings from von Oswald's code (see module docstring). Ours: sensitivities by one backward pass "
        "of sum(y^) w.r.t. the batch of queries (equal to vmap(grad)); loss_trivial = zero predictor; the "
        "GD eta is reported as eta (their printed value is eta/N); smoke: 500 steps at lr 3e-3 with "
        "query-row attention (identical output for one layer); medium: their 5000 steps at lr 1e-3; paper "
        "preset 5 seeds."
    ),
)
