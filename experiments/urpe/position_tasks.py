r"""URPE F1 + F2: Position Identification and Even Token Prediction accuracy for noPE / RPE / URPE (and APE), and
the learned B and C tables.

Variants: ``none`` (noPE), ``t5`` (RPE: one scalar bias per head and offset, the code's ``--rel-pos
--rel-pos-unique``), ``urpe`` (RPE + C per head and offset, C initialised to 1, ``--ur-attn --ur-attn-unique
--constant-init-ur-attn``), ``ape`` (learned absolute embeddings; no APE script is released). Bidirectional
post-LN encoder, B and C shared by all layers, one per head [src: lsj2408/URPE 47b711f, spec F1].

Rows: ``kind="metric"`` (one per task, variant, eval step and metric: ``acc``, ``acc_nontrivial`` for ETP,
``train_loss``) and ``kind="table"`` (final learned B and C of every head, one row per offset $k = j - i$).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.experiments.urpe.tasks import TASKS, make_batch, n_classes
from attnlab.gpu.training import TrainSpec, step_generator, train
from attnlab.gpu.urpe.task_model import TokenModel
from attnlab.theory.errors import ConfigError

__all__ = ["Config", "run", "summarize", "FIGURE", "VARIANTS"]

VARIANTS = ("none", "t5", "urpe", "ape")


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """Smoke: n = 16, V = 16, d = 32, 2 layers, 2 heads. Paper: n = 128, V = 1000, RoBERTa-base width, 3 layers."""

    tasks: tuple[str, ...] = TASKS
    variants: tuple[str, ...] = VARIANTS
    n: int = 16
    vocab: int = 16
    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_ff: int = 64
    steps: int = 300
    batch: int = 32
    lr: float = 1e-3
    grad_clip: float = 0.0
    eval_every: int = 100
    n_eval: int = 256

    def validate(self):
        if not self.tasks or set(self.tasks) - set(TASKS):
            raise ConfigError(f"tasks must be a non-empty subset of {TASKS}, got {self.tasks}")
        if not self.variants or set(self.variants) - set(VARIANTS):
            raise ConfigError(f"variants must be a non-empty subset of {VARIANTS}, got {self.variants}")
        if self.n < 2 or self.n % 2 or self.vocab < 2:
            raise ConfigError(f"need an even n >= 2 and vocab >= 2, got n={self.n}, vocab={self.vocab}")
        if min(self.d_model, self.n_layers, self.n_heads, self.d_ff, self.steps, self.batch, self.n_eval) < 1:
            raise ConfigError("d_model, n_layers, n_heads, d_ff, steps, batch and n_eval must be >= 1")
        if not 1 <= self.eval_every <= self.steps:
            raise ConfigError(f"eval_every must lie in [1, steps={self.steps}], got {self.eval_every}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(tasks=("pi", "etp", "pi_const"), variants=("none", "t5", "urpe"), n=6, vocab=5, d_model=8, n_layers=1,
                   n_heads=2, d_ff=7, steps=3, batch=5, eval_every=2, n_eval=7)

    @classmethod
    def smoke(cls):
        return cls()

    @classmethod
    def paper(cls):
        """40k updates of 128 sequences, n = 128, |V| = 1000, d = 768, 12 heads, FFN 3072, 3 layers, lr 7e-5,
        no clipping [src: simulate_*.sh, README-reproduce.md]; no warmup/decay schedule (the training layer has
        none; the paper warms up 6000 steps then decays polynomially)."""
        return cls(n=128, vocab=1000, d_model=768, n_layers=3, n_heads=12, d_ff=3072, steps=40_000, batch=128,
                   lr=7e-5, eval_every=1000, n_eval=6400)


def _row(**kw) -> dict:
    base = {"task": "", "variant": "", "kind": "metric", "step": -1, "metric": "", "value": float("nan"),
            "table": "", "head": -1, "offset": 0, "seed": 0, "n": 0}
    return {**base, **kw}


def _evaluate(cfg: Config, task: str, seed: int, device):
    g = step_generator(seed, 0, device, stream=1)  # validation: a stream training never uses
    val = make_batch(task, cfg.n_eval, cfg.n, cfg.vocab, g)

    def evaluate(model, step):
        model.eval()
        with torch.no_grad():
            hit = (model(val.inputs).argmax(-1) == val.targets).float()
        model.train()
        rows = [{"metric": "acc", "value": hit.mean().item()}]
        if task == "etp":
            rows.append({"metric": "acc_nontrivial", "value": hit[:, : cfg.n // 2].mean().item()})
        return rows

    return evaluate


def _table_rows(model: TokenModel, task, variant, seed, n) -> list[dict]:
    rows = []
    enc = model.encoder
    for name in ("B", "C"):
        t = getattr(enc, name)
        if t is None or name == "B" and variant not in ("t5", "urpe"):
            continue
        for h in range(t.shape[0]):
            for idx, v in enumerate(t[h].detach().cpu().tolist()):
                rows.append(_row(task=task, variant=variant, kind="table", table=name, head=h,
                                 offset=idx - (n - 1), value=float(v), seed=seed, n=n))
    return rows


def run(cfg: Config, seed: int, device: str | None = None) -> list[dict]:
    from attnlab.gpu.device import get_device

    device = get_device(device)  # the sweep cell's device (None: the policy's choice)
    rows = []
    for task in cfg.tasks:
        for vi, variant in enumerate(cfg.variants):
            with torch.random.fork_rng(devices=[]):  # read-in / read-out init, without touching the caller's RNG
                torch.manual_seed(seed * 101 + vi)
                model = TokenModel(variant, cfg.vocab, n_classes(task, cfg.n, cfg.vocab), cfg.n, cfg.d_model,
                                   cfg.n_layers, cfg.n_heads, cfg.d_ff, seed=seed * 101 + vi).to(device)
            spec = TrainSpec(steps=cfg.steps, batch=cfg.batch, lr=cfg.lr, seed=seed, grad_clip=cfg.grad_clip,
                             eval_every=cfg.eval_every)
            res = train(
                model, lambda step, g, task=task: make_batch(task, cfg.batch, cfg.n, cfg.vocab, g),
                lambda pred, b: torch.nn.functional.cross_entropy(pred[b.mask], b.targets[b.mask]),
                spec, evaluate=_evaluate(cfg, task, seed, device), device=device, label=f"{task}/{variant}")
            rows += [_row(task=task, variant=variant, step=r["step"], metric=r["metric"], value=float(r["value"]),
                          seed=seed, n=cfg.n) for r in res.rows]
            rows += _table_rows(res.model, task, variant, seed, cfg.n)
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Final accuracy per task and variant (seed mean): ``<task>_acc_<variant>``, ``etp_acc_nontrivial_<variant>``;
    ``pi_const_acc_times_n_<variant>`` (at most 1 for softmax-RPE models: one prediction for every position)."""
    out: dict[str, float] = {}
    metrics = [r for r in rows if r["kind"] == "metric" and r["metric"] in ("acc", "acc_nontrivial")]
    for key in {(r["task"], r["variant"], r["metric"]) for r in metrics}:
        mine = [r for r in metrics if (r["task"], r["variant"], r["metric"]) == key]
        last = max(r["step"] for r in mine)
        vals = [r["value"] for r in mine if r["step"] == last]
        out[f"{key[0]}_{key[2]}_{key[1]}"] = sum(vals) / len(vals)
        if key[0] == "pi_const" and key[2] == "acc":
            out[f"pi_const_acc_times_n_{key[1]}"] = out[f"pi_const_acc_{key[1]}"] * mine[0]["n"]
    return dict(sorted(out.items()))


FIGURE = Figure(
    id="urpe/position-tasks",
    paper="urpe",
    title="Position Identification / Even Token Prediction accuracy: noPE vs RPE vs URPE vs APE, learned B and C",
    locator="NeurIPS 2022 poster of arXiv:2205.13401 (lsj2408/URPE doc/poster.png at commit 47b711f): synthetic-task "
    "bar chart and B/C heatmaps; the paper's figure numbers unverified (not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.urpe.position_tasks:plot",
    choices="ids 0..V-1 (the code uses V-20 symbols 11..V-10); every PI position scored (the code drops position 0); "
    "one Linear read-out instead of the RoBERTa LM head; AdamW at a constant lr (the paper: Adam, 6k warmup, "
    "polynomial decay); float32; APE added as a fourth variant and constant-input PI (pi_const, ours) as a "
    "third task; validation drawn from a stream disjoint from training",
)
