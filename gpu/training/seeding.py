r"""Seeds for the training loop: one generator per (seed, stream, step).

The data of step t is drawn from a generator seeded by ``SeedSequence([seed, stream, t])``: no state
carries from one step to the next, so a run resumed at step t sees exactly the batches an
uninterrupted run sees, and a figure can draw its fixed evaluation set from another stream.
"""

from __future__ import annotations

import numpy as np
import torch

from attnlab.gpu.device import get_device

__all__ = ["step_generator", "derive_seed", "STREAM_DATA"]

STREAM_DATA = 0


def derive_seed(seed: int, step: int, stream: int = STREAM_DATA) -> int:
    """A 32-bit seed from ``SeedSequence([seed, stream, step])``."""
    return int(np.random.SeedSequence([int(seed), int(stream), int(step)]).generate_state(1)[0])


def step_generator(seed: int, step: int, device=None, stream: int = STREAM_DATA) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded from ``(seed, stream, step)`` (independent streams)."""
    g = torch.Generator(device=get_device(device))
    g.manual_seed(derive_seed(seed, step, stream))
    return g
