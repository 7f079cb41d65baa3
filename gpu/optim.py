r"""The torch side of the one optimisation engine: :func:`attnlab.theory.optim.run_gd` on torch tensors.

The loop itself is not rewritten here: :func:`torch_ops` supplies the array operations
(:class:`attnlab.theory.optim.ArrayOps`) for a device and dtype, and :func:`attnlab.theory.optim.run_gd`
runs with them, so CPU numpy and GPU torch runs take the same steps (tested equal on CPU at ``TOL.gpu_float64``).
The device comes only from :func:`attnlab.gpu.device.get_device`; TF32 is turned off, since final iterates are
compared against SVM solutions.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.optim import ArrayOps

__all__ = ["torch_ops", "DTYPES"]

#: dtype names accepted by :func:`torch_ops` (the names that enter a cell's key)
DTYPES = ("float64", "float32")


def torch_ops(device=None, dtype: str = "float64") -> ArrayOps:
    """Array operations on ``get_device(device)`` in ``dtype`` ("float64" or "float32")."""
    import torch

    from attnlab.gpu.device import disable_tf32, get_device
    from attnlab.theory.errors import ConfigError

    if dtype not in DTYPES:
        raise ConfigError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    disable_tf32()
    dev, dt = get_device(device), getattr(torch, dtype)
    return ArrayOps(
        asarray=lambda a: torch.as_tensor(np.asarray(a), dtype=dt, device=dev),
        to_numpy=lambda t: t.detach().cpu().double().numpy(),
        norms=lambda g: torch.linalg.vector_norm(g.reshape(g.shape[0], -1), dim=1),
        ones_bool=lambda B, like: torch.ones(B, dtype=torch.bool, device=like.device),
        zeros_int=lambda B, like: torch.zeros(B, dtype=torch.int64, device=like.device),
        where=torch.where,
        copy=torch.clone,
        sort_last=lambda a: torch.sort(a, dim=-1).values,
    )
