r"""Shared machinery of the tf_svm figures: batched instances and batched normalised GD on them.

Instances follow :func:`attnlab.theory.tf_svm.examples.random_instance` (seed ``s`` gives the same instance), stacked
into $X \in \mathbb{R}^{B\times n\times T\times d}$, $Z \in \mathbb{R}^{B\times n\times d}$, $v \in \mathbb{R}^{B\times d}$,
$Y \in \{\pm1\}^{B\times n}$.

:func:`batched_ngd` runs normalised GD on $W$ or on $(K, Q)$ for all $B$ instances at once with the one engine
(:mod:`attnlab.theory.tf_svm.attention_gd`; its torch twin on CUDA).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.tf_svm.attention_gd import GdConfig
from attnlab.theory.tf_svm.examples import random_instance

__all__ = ["Batch", "make_batch", "batched_ngd", "official_init"]

KQ_REG = float(np.finfo(np.float64).eps)  # official lambda of the (K, Q) runs (spec 2.5)


@dataclass(frozen=True)
class Batch:
    X: np.ndarray  # (B, n, T, d)
    Z: np.ndarray  # (B, n, d)
    v: np.ndarray  # (B, d)
    Y: np.ndarray  # (B, n)
    seeds: tuple[int, ...]

    @property
    def gamma(self) -> np.ndarray:
        """Token scores (B, n, T)."""
        return self.Y[..., None] * np.einsum("bntd,bd->bnt", self.X, self.v)

    @property
    def opt(self) -> np.ndarray:
        """Optimal tokens argmax_t gamma (B, n)."""
        return np.argmax(self.gamma, axis=-1)


def make_batch(n: int, T: int, d: int, seeds) -> Batch:
    insts = [random_instance(n, T, d, seed=int(s)) for s in seeds]
    return Batch(np.stack([i.X for i in insts]), np.stack([i.Z for i in insts]), np.stack([i.v for i in insts]),
                 np.stack([i.Y for i in insts]), tuple(int(s) for s in seeds))


def official_init(rng: np.random.Generator, B: int, d: int) -> np.ndarray:
    """torch.nn.Linear's default U(-1/sqrt(d), 1/sqrt(d)) entries, (B, d, d) (local_converge.ipynb)."""
    return rng.uniform(-1.0, 1.0, size=(B, d, d)) / np.sqrt(d)


def batched_ngd(batch: Batch, W0: np.ndarray, cfg: GdConfig, factored: bool = False, K0=None,
                device: str | None = None):
    """(N)GD on W (``factored=False``, init ``W0``) or on (K, Q) (``factored=True``: ``K0`` and ``W0`` are the
    initial K and Q, (B, d, m)) for every instance of ``batch``, by :mod:`attnlab.theory.tf_svm.attention_gd`.

    ``device`` (resolved by :func:`attnlab.gpu.device.device_name`): on CUDA the torch twin
    :mod:`attnlab.gpu.tf_svm.attention_gd` runs; otherwise numpy, which on a CPU is faster than torch at these
    sizes (fewer small-tensor dispatches). Returns ``(log_steps, log_W (L, B, d, d), log_s (L, B, n, T))``;
    the last entry is always the final iterate.
    """
    from attnlab.gpu.device import device_name

    if device_name(device).startswith("cuda"):
        from attnlab.gpu.tf_svm import attention_gd as engine

        kw = {"device": device}
    else:
        from attnlab.theory.tf_svm import attention_gd as engine

        kw = {}
    args = (batch.X, batch.Z, batch.v, batch.Y)
    if factored:
        res = engine.batched_gd_kq(*args, K0, W0, cfg, keep_s=True, **kw)
    else:
        res = engine.batched_gd_w(*args, W0, cfg, keep_s=True, **kw)
    return res.log_steps, res.log_W, res.log_s
