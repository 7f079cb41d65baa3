r"""Float32 drift of the looped GD construction over many loops (spec §7.7 and pitfall 11 [derived]).

The batched torch GD loop (:func:`attnlab.gpu.algoformer.gd_loop.gd_loop_predictions`) in float32 against the
same loop in float64, on Gaussian prompts with :math:`\eta = 1/\lambda_{\max}(S)`; rows give the max and median
relative difference :math:`|\hat y_{32} - \hat y_{64}| / (1 + |\hat y_{64}|)` at loop counts up to T. TF32 is
turned off first (:func:`attnlab.gpu.device.disable_tf32`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE"]


@dataclass(frozen=True)
class Config(ExperimentConfig):
    d: int = 10
    n: int = 20
    prompts: int = 256
    T: int = 1000
    device: str = "auto"

    def validate(self):
        if min(self.d, self.n, self.prompts, self.T) < 1:
            raise ConfigError("d, n, prompts and T must be >= 1")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(d=3, n=5, prompts=7, T=50, device="cpu")

    @classmethod
    def smoke(cls):
        return cls(prompts=64, T=300, device="cpu")

    @classmethod
    def paper(cls):
        return cls(prompts=4096, T=10000, seeds=(0, 1, 2))


def run(cfg: Config, seed: int) -> list[dict]:
    import torch

    from attnlab.gpu.algoformer.gd_loop import gd_loop_predictions
    from attnlab.gpu.device import disable_tf32, get_device

    disable_tf32()
    dev = get_device(cfg.device)
    rng = np.random.default_rng(seed)
    X, y, xq = rng.normal(size=(cfg.prompts, cfg.n, cfg.d)), rng.normal(size=(cfg.prompts, cfg.n)), rng.normal(size=(cfg.prompts, cfg.d))
    eta = 1.0 / np.linalg.eigvalsh(np.swapaxes(X, 1, 2) @ X / cfg.n)[:, -1]
    preds = {}
    for dt in (torch.float64, torch.float32):
        t = [torch.as_tensor(a, dtype=dt, device=dev) for a in (X, y, xq, eta)]
        preds[dt] = gd_loop_predictions(*t, cfg.T).double().cpu().numpy()
    rel = np.abs(preds[torch.float32] - preds[torch.float64]) / (1 + np.abs(preds[torch.float64]))
    ts = sorted({int(v) for v in np.unique(np.round(np.geomspace(1, cfg.T, 25)))})
    return [{"t": t, "rel_max": float(rel[t].max()), "rel_median": float(np.median(rel[t])), "seed": seed,
             "device": dev.type} for t in ts]


def summarize(rows: list[dict]) -> dict[str, float]:
    last, first = max(r["t"] for r in rows), min(r["t"] for r in rows)
    at = lambda t: float(np.mean([r["rel_max"] for r in rows if r["t"] == t]))  # noqa: E731
    return {"rel_max_at_T": at(last), "growth_T_over_first": at(last) / max(at(first), np.finfo(float).tiny)}


FIGURE = Figure(
    id="algoformer/float32-drift",
    paper="algoformer",
    title="Float32 vs float64 drift of the looped GD construction over T loops",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#float32-drift (ours: not a figure of the paper)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.algoformer.float32_drift:plot",
    choices="x ~ N(0, I_d), y ~ N(0, 1) unrelated to x (worst case for the residuals), eta = 1/lambda_max per prompt",
)
