"""Progress bars with ETA for sweeps and training loops (tqdm on stderr).

Set ``ATTNLAB_PROGRESS=0`` to silence them (tests do); they never touch stdout, so tables and JSON
printed by the CLI stay clean.
"""

from __future__ import annotations

import os
import sys

__all__ = ["progress", "training_progress"]


def progress(iterable=None, *, total: int | None = None, desc: str = "", leave: bool = True):
    """Wrap ``iterable`` in a tqdm bar (rate and ETA), or return it unchanged when disabled."""
    from tqdm.auto import tqdm

    disabled = os.environ.get("ATTNLAB_PROGRESS", "1") == "0"
    return tqdm(iterable, total=total, desc=desc, leave=leave, disable=disabled, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5)


def training_progress(desc: str, total: int):
    """A ``(step, total, loss)`` callback for :func:`attnlab.gpu.training.train` drawing one transient bar."""
    bar = progress(total=total, desc=desc, leave=False)
    done = [0]

    def report(step: int, total: int, loss: float) -> None:
        bar.set_postfix(loss=f"{loss:.3g}", refresh=False)
        bar.update(step - done[0])
        done[0] = step
        if step == total:
            bar.close()

    return report
