r"""Shared config and run for the softmax-regression ICL figures (F1/F3 training curves, F2 loss vs d).

Li, Song, Xia, Yu, Zhou, "The Closeness of In-Context Learning and Weight Shifting for Softmax
Regression" (NeurIPS 2024 version, experiments on p. 9 and pp. 23-26; arXiv 2304.13276). The paper
compares a trained single softmax self-attention layer with softmax regression trained by one GD
step; it does not say how tasks are drawn, how a query is predicted, or how the layer is trained, so
every such field below is attnlab's choice (the figure's ``choices`` string repeats them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from attnlab.experiments.softmax_icl.icl_tasks import SoftmaxRegressionTask
from attnlab.experiments.softmax_icl.icl_training import ICLTrainingConfig, run_comparison
from attnlab.gpu.softmax_icl.gd_predictors import OneStepGDSoftmax
from attnlab.theory.errors import ConfigError

__all__ = ["SoftmaxICLConfig", "run_softmax_comparison", "CHOICES"]

CHOICES = (
    "Task (ours): a_1..a_n, a_q ~ N(0, I_d); x* ~ N(0, s^2 I_d/d) with s = x_star_scale; document target "
    "b = softmax(A x*) (Def. 1.3, realisable); labels y_i = n b_i - o, query target "
    "y_q = n exp(a_q.x*)/<exp(A x*), 1> - o (the query scored with the document's normaliser; putting the "
    "query inside the softmax would leak y_q through sum_i y_i); o = label_offset = 1 centres the labels. "
    "GD model (ours): x_1 = -eta grad L(0) = (eta/n) sum_i (a_i - mean a) b_i on the context with "
    "b = (y + o)/sum(y + o); prediction y_q^ = n exp(a_q.x_1)/<exp(A x_1), 1> - o; eta by grid search "
    "(eta/n on eta_grid) on n_grid training tasks. Transformer (ours): one softmax self-attention layer "
    "(H heads, key size d+1, logits / sqrt(k), W_Q, W_K, W_V, W_O, no bias/LN/MLP), tokens (a_i, y_i) and "
    "(a_q, 0), prediction = -last entry of the query output (von Oswald's readout). Training (von "
    "Oswald's defaults): AdamW lr 1e-3, betas (0.9, 0.98), global-norm clip 0.001, VarianceScaling(0.002) "
    "init, fresh tasks each step, loss 0.5 mean (y^ - y_q)^2; the smoke presets train shorter at lr 3e-3 "
    "(medium and paper keep lr 1e-3). Metrics (von Oswald's analyse): "
    "sensitivity = d y^/d a_q; Model cos = mean cosine (+1e-8), Model diff = mean l2 norm of the "
    "difference, Preds diff = mean |y^_TF - y^_GD|, on fixed eval tasks."
)


@dataclass(frozen=True)
class SoftmaxICLConfig(ICLTrainingConfig):
    r"""Softmax-regression task fields on top of the shared training fields.

    Attributes:
        n: context tokens per task (paper: n = 200 main text, n = 25 appendix; digest of p. 9, pp. 23-26).
        x_star_scale: s; :math:`x^* \sim N(0, s^2 I_d/d)` so the logits :math:`a^\top x^*` have variance
            :math:`s^2` (ours; s = 1 keeps f away from both uniform and one-hot).
        label_offset: o; labels :math:`y = n b - o` (ours; o = 1 centres them. With o = 0 one layer
            cannot shift its output by a constant and stays near the constant predictor).
        eta_grid: grid of :math:`\eta / n` (start, stop, step); one step from 0 gives
            :math:`x_1 \approx (\eta/n) x^*`, so the best :math:`\eta/n` is O(1) (ours).
    """

    n: int = 25
    x_star_scale: float = 1.0
    label_offset: float = 1.0
    eta_grid: tuple[float, ...] = (0.01, 4.0, 0.01)
    n_eval: int = 1000  # "We sample 10^3 tasks and record the losses" [src: ri.k117.org digest]

    def validate(self) -> None:
        super().validate()
        if self.n < 2:
            raise ConfigError(f"n (context tokens) must be >= 2, got {self.n}")
        if not (math.isfinite(self.x_star_scale) and self.x_star_scale > 0):
            raise ConfigError(f"x_star_scale must be finite and > 0, got {self.x_star_scale}")
        if not math.isfinite(self.label_offset):
            raise ConfigError(f"label_offset must be finite, got {self.label_offset}")


def run_softmax_comparison(cfg: SoftmaxICLConfig, d: int, seed: int, desc: str = "",
                           device: str | None = None) -> list[dict]:
    """Train one softmax layer on softmax-regression tasks in dimension ``d``; rows labelled (n, d)."""
    task = SoftmaxRegressionTask(n=cfg.n, d=d, x_star_scale=cfg.x_star_scale, label_offset=cfg.label_offset)
    return run_comparison(cfg, task, OneStepGDSoftmax(label_offset=cfg.label_offset), softmax=True, seed=seed,
                          etas=cfg.eta_values(unit=cfg.n), labels={"n": cfg.n, "d": d},
                          desc=desc or f"softmax n={cfg.n} d={d} seed={seed}", device=device)
