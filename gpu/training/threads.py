r"""How many CPU threads a training run uses: one by default (``ATTNLAB_TRAIN_THREADS`` overrides).

The models trained here are small (tensors of kilobytes to a few megabytes per op), so torch's
intra-op threads gain little, and on a shared or busy machine they cost a lot: every op waits for its
slowest thread. Measured on a 2-core machine at load ~7 (``attnlab reproduce softmax_icl/fig1-training
--scale smoke``): 33 s wall with one thread, 4 min with two. Bigger models on an idle many-core CPU
may set ``ATTNLAB_TRAIN_THREADS`` higher. Only CPU runs are affected; the previous setting is restored.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import torch

from attnlab.theory.errors import ConfigError

__all__ = ["cpu_threads", "THREADS_ENV"]

THREADS_ENV = "ATTNLAB_TRAIN_THREADS"


def _wanted() -> int:
    text = os.environ.get(THREADS_ENV, "1")
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"{THREADS_ENV} must be an integer >= 1, got {text!r}")
    return n


@contextmanager
def cpu_threads(device: torch.device):
    """Within the block, torch's CPU ops use ``ATTNLAB_TRAIN_THREADS`` threads (default 1) when ``device`` is a CPU."""
    if device.type != "cpu":
        yield
        return
    wanted, before = _wanted(), torch.get_num_threads()
    if wanted != before:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != before:
            torch.set_num_threads(before)
