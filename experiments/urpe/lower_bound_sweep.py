r"""Lower-bound sweep (spec 7.4): trained networks against the sup-norm bound on constant inputs.

Target $f(X)_i = X_i + \alpha\,(i/n)\,1$ (1-based i). Training inputs: half Gaussian sequences, half constant
sequences $1x^\top$ (so the constant manifold is in the training distribution). Evaluation on a fixed set of
constant sequences: the sup-error $\max_{X,i}\|f(X)_i - g(X)_i\|_\infty$, against the bound
$\alpha(n-1)/(2n)$ that every softmax-RPE network obeys (``urpe/rpe-sup-error-lower-bound``). Expected: RPE
(T5 bias) plateaus at or above the bound at every depth and width; URPE and APE go below it. Also reported:
the RMS error on Gaussian sequences (the obstruction is only on and near constant sequences, spec C10).
Pre-LN blocks without a final LayerNorm (a regression target of free scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.gpu.training import Batch, TrainSpec, step_generator, train
from attnlab.gpu.urpe.transformer import build_rpe_transformer
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE", "bound"]

FAMILIES = ("t5", "urpe", "ape")


@dataclass(frozen=True)
class Config(ExperimentConfig):
    families: tuple[str, ...] = FAMILIES
    n: int = 8
    alpha: float = 1.0
    depths: tuple[int, ...] = (1, 2)
    widths: tuple[int, ...] = (8, 16)
    n_heads: int = 2
    steps: int = 600
    batch: int = 32
    lr: float = 1e-2
    n_eval: int = 64

    def validate(self):
        if not self.families or set(self.families) - set(FAMILIES):
            raise ConfigError(f"families must be a non-empty subset of {FAMILIES}, got {self.families}")
        if self.n < 2 or self.alpha <= 0 or not self.depths or not self.widths:
            raise ConfigError("need n >= 2, alpha > 0 and non-empty depths and widths")
        if min(self.depths + self.widths) < 1 or min(self.steps, self.batch, self.n_eval, self.n_heads) < 1:
            raise ConfigError("depths, widths, steps, batch, n_eval and n_heads must be >= 1")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(depths=(1,), widths=(4,), n=5, steps=3, batch=6, n_eval=7)

    @classmethod
    def smoke(cls):
        return cls()

    @classmethod
    def paper(cls):
        """Our scale for a GPU (the paper has no such figure): n = 16, d up to 128, depth up to 4, 3000 steps."""
        return cls(n=16, depths=(1, 2, 4), widths=(16, 32, 64, 128), n_heads=4, steps=3000, batch=128, lr=1e-3,
                   n_eval=512)


def bound(n: int, alpha: float) -> float:
    r"""$\tfrac12 \max_{i,j}\|f(X_c)_i - f(X_c)_j\|_\infty = \alpha (n-1) / (2n)$."""
    return alpha * (n - 1) / (2 * n)


def _target(X: torch.Tensor, alpha: float) -> torch.Tensor:
    n = X.shape[1]
    return X + alpha * (torch.arange(1, n + 1, dtype=X.dtype, device=X.device) / n)[None, :, None]


def _sample(cfg: Config, d: int, g: torch.Generator, batch: int, constant_only: bool = False) -> Batch:
    X = torch.randn(batch, cfg.n, d, generator=g, device=g.device)
    const = torch.randn(batch, 1, d, generator=g, device=g.device).expand(batch, cfg.n, d)
    if constant_only:
        X = const.clone()
    else:
        X = torch.cat([X[: batch // 2], const[batch // 2:]], dim=0)
    return Batch(X, _target(X, cfg.alpha))


def run(cfg: Config, seed: int, device: str | None = None) -> list[dict]:
    from attnlab.gpu.device import get_device

    device = get_device(device)  # the sweep cell's device (None: the policy's choice)
    rows = []
    for family in cfg.families:
        for depth in cfg.depths:
            for width in cfg.widths:
                model = build_rpe_transformer(family, depth, width, cfg.n_heads, cfg.n, ln="pre", seed=seed,
                                              device=device)
                spec = TrainSpec(steps=cfg.steps, batch=cfg.batch, lr=cfg.lr, seed=seed, eval_every=cfg.steps)
                res = train(model, lambda step, g, w=width: _sample(cfg, w, g, cfg.batch),
                            lambda pred, b: torch.mean((pred - b.targets) ** 2), spec, device=device,
                            label=f"{family} L={depth} d={width}")
                g = step_generator(seed, 0, device, stream=1)
                const, gauss = _sample(cfg, width, g, cfg.n_eval, True), _sample(cfg, width, g, cfg.n_eval)
                with torch.no_grad():
                    sup = (res.model(const.inputs) - const.targets).abs().max().item()
                    rms = (res.model(gauss.inputs) - gauss.targets).square().mean().sqrt().item()
                base = {"family": family, "depth": depth, "width": width, "seed": seed,
                        "bound": bound(cfg.n, cfg.alpha), "n": cfg.n, "alpha": cfg.alpha}
                rows.append({**base, "metric": "sup_error_constant", "value": sup})
                rows.append({**base, "metric": "rms_error_mixed", "value": rms})
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Per family: min and max over sizes of sup-error / bound on constant inputs (``<family>_min_ratio``, ...)."""
    out = {}
    for fam in sorted({r["family"] for r in rows}):
        ratios = [r["value"] / r["bound"] for r in rows if r["family"] == fam and r["metric"] == "sup_error_constant"]
        out[f"{fam}_min_sup_over_bound"] = min(ratios)
        out[f"{fam}_max_sup_over_bound"] = max(ratios)
    return out


FIGURE = Figure(
    id="urpe/lower-bound-sweep",
    paper="urpe",
    title="Sup-error on constant inputs vs depth and width: RPE stays above alpha (n-1)/(2n), URPE and APE go below",
    locator="not a paper figure (attnlab): trained networks against the bound of "
    "proofs_checks/urpe/DERIVATIONS.md#sup-norm-lower-bound, our sup-norm form of the negative result of "
    "arXiv:2205.13401v2 (abstract; its theorem number and metric unverified)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.urpe.lower_bound_sweep:plot",
    choices="target X_i + alpha (i/n) 1 with alpha = 1; half Gaussian, half constant training sequences; pre-LN, no "
    "final LN; AdamW lr 1e-2, batch 32, 600 steps, clip 1 (smoke); sup-error over 64 fixed constant sequences",
)
