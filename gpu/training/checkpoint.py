r"""Save and restore a training run: model, optimizer, RNG state, rows, and the step reached.

A checkpoint is one ``torch.save`` file written atomically (a temporary file in the same folder,
then ``os.replace``), so an interrupted save never leaves a half-written checkpoint. It records the
:class:`~attnlab.gpu.training.loop.TrainSpec` it was made under; a resume under a spec that differs in
anything but ``steps`` is refused (:class:`~attnlab.theory.errors.ConfigError`), since it would not
continue the same run.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from attnlab.theory.errors import ConfigError

__all__ = ["save_checkpoint", "load_checkpoint", "FORMAT"]

FORMAT = 1


def save_checkpoint(path, *, spec: dict, step: int, model, optimizer, rows: list[dict], window) -> None:
    """Write the run's state at ``step`` to ``path`` (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": FORMAT,
        "spec": spec,
        "step": step,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "rng_cpu": torch.get_rng_state(),
        "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None,
        "rows": rows,
        "window": window,
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, *, spec: dict, model, optimizer, device) -> dict | None:
    """Restore model, optimizer and RNG state from ``path``; return the state dict, or None if absent.

    Raises:
        ConfigError: the checkpoint was written under a different spec (other than ``steps``), or is
            further along than ``spec["steps"]``, or is not a checkpoint of this loop.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:  # our own file: rows may hold any picklable value the evaluate callback returned
        state = torch.load(path, map_location=device, weights_only=False)
    except Exception as exc:  # any unreadable file is the same user-facing problem
        raise ConfigError(f"checkpoint {path} is not readable ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ConfigError(f"{path} is not a training checkpoint (format {FORMAT})")
    changed = sorted(k for k in spec if k != "steps" and state["spec"].get(k) != spec[k])
    if changed:
        raise ConfigError(f"checkpoint {path} was written under another TrainSpec (differs in {', '.join(changed)}); "
                          "use another path or the same spec")
    if state["step"] > spec["steps"]:
        raise ConfigError(f"checkpoint {path} is at step {state['step']}, beyond steps={spec['steps']}")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng_cpu"].cpu())
    if state["rng_cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["rng_cuda"]])
    return state
