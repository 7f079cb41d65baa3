r"""The one device policy: explicit argument > ``ATTNLAB_DEVICE`` > cuda > cpu.

MPS is never chosen automatically (risky backend; opt in with ``ATTNLAB_DEVICE=mps`` or
``device="mps"``). Nothing here runs at import: CUDA is probed only when :func:`get_device` is called
without an explicit choice.
"""

from __future__ import annotations

import os

from attnlab.theory.errors import ConfigError

__all__ = ["get_device", "device_name", "ENV_VAR", "disable_tf32"]

ENV_VAR = "ATTNLAB_DEVICE"
_VALID = ("cpu", "cuda", "mps")


def get_device(explicit: str | None = None):
    """Return the ``torch.device`` to use.

    Args:
        explicit: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``None``/``"auto"``, or a ``torch.device``
            already chosen (checked the same way).

    Raises:
        ConfigError: an unknown device string, or cuda requested where torch has no CUDA.
    """
    import torch

    if isinstance(explicit, torch.device):
        explicit = str(explicit)
    choice = explicit if explicit not in (None, "", "auto") else os.environ.get(ENV_VAR) or None
    if choice in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    kind = choice.split(":", 1)[0]
    if kind not in _VALID:
        raise ConfigError(f"unknown device {choice!r}; valid: auto, cpu, cuda, cuda:N, mps")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {choice!r} requested but this torch build has no usable CUDA; use cpu")
    if kind == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ConfigError("device 'mps' requested but MPS is not available; use cpu")
    return torch.device(choice)


def device_name(explicit: str | None = None) -> str:
    """The chosen device as a string (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``): what a sweep cell carries
    to its worker and puts in its key. A plain ``"cpu"`` choice is answered without importing torch."""
    choice = explicit if explicit not in (None, "", "auto") else os.environ.get(ENV_VAR) or None
    if choice == "cpu":
        return "cpu"
    return str(get_device(explicit))


def disable_tf32() -> None:
    """Turn TF32 off: results that meet a bound must be computed in true float32/float64."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
