r"""Batched torch evaluation of :mod:`attnlab.theory.algoformer.block` blocks, for sweeps over loop counts.

:func:`to_torch` converts a theory :class:`~attnlab.theory.algoformer.block.Block` (numpy weights) once;
:func:`apply_block`, :func:`run_loop` and :func:`loop_trace` then follow the theory functions operation by
operation on tensors ``(B, N, D)``. A head's weights may carry a leading batch axis ``(B, D, D)`` (one
step size per instance). float64 by default; set ``dtype`` for float32 sweeps (TF32 off: see
:func:`attnlab.gpu.device.disable_tf32`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from attnlab.theory.algoformer.block import MLP, Block

__all__ = ["TorchHead", "TorchMLP", "to_torch", "apply_block", "run_loop", "loop_trace"]


@dataclass(frozen=True, eq=False)
class TorchHead:
    Q: torch.Tensor
    K: torch.Tensor
    V: torch.Tensor
    kind: str
    keys: torch.Tensor | None
    scale: float | None
    beta: float


@dataclass(frozen=True, eq=False)
class TorchMLP:
    W1: torch.Tensor
    W2: torch.Tensor


def _t(a, device, dtype) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=dtype, device=device)


def to_torch(block: Block, device=None, dtype=torch.float64) -> tuple:
    out = []
    for sub in block.sublayers:
        if isinstance(sub, MLP):
            out.append(TorchMLP(_t(sub.W1, device, dtype), _t(sub.W2, device, dtype)))
        else:
            out.append(tuple(
                TorchHead(_t(h.Q, device, dtype), _t(h.K, device, dtype), _t(h.V, device, dtype), h.kind,
                          None if h.keys is None else torch.as_tensor(h.keys, device=device), h.scale, h.beta)
                for h in sub))
    return tuple(out)


def _head(H: torch.Tensor, h: TorchHead) -> torch.Tensor:
    Hk = H if h.keys is None else H.index_select(-2, h.keys)
    scores = (H @ h.Q.transpose(-1, -2)) @ (Hk @ h.K.transpose(-1, -2)).transpose(-1, -2)  # (B, N, |C|)
    values = Hk @ h.V.transpose(-1, -2)
    if h.kind == "softmax":
        w = torch.softmax(h.beta * scores, dim=-1)
        return (1.0 if h.scale is None else h.scale) * (w @ values)
    if h.kind == "relu":
        scores = torch.relu(scores)
    c = 1.0 / Hk.shape[-2] if h.scale is None else h.scale
    return c * (scores @ values)


def apply_block(H: torch.Tensor, block: tuple) -> torch.Tensor:
    for sub in block:
        if isinstance(sub, TorchMLP):
            H = H + torch.relu(H @ sub.W1.transpose(-1, -2)) @ sub.W2.transpose(-1, -2)
        else:
            H = H + sum(_head(H, h) for h in sub)
    return H


def run_loop(H: torch.Tensor, block: tuple, T: int) -> torch.Tensor:
    for _ in range(T):
        H = apply_block(H, block)
    return H


def loop_trace(H: torch.Tensor, block: tuple, T: int, read) -> torch.Tensor:
    out = [read(H)]
    for _ in range(T):
        H = apply_block(H, block)
        out.append(read(H))
    return torch.stack(out)
