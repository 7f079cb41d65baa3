"""A default progress callback ``(step, total, loss) -> None``: a bar with ETA on a terminal, plain lines otherwise.

On a terminal (stderr is a TTY) one line is redrawn in place; elsewhere (logs, workers) at most five
plain lines per run are printed (0 %, 25 %, ..., 100 %), with no escape codes. ``ATTNLAB_PROGRESS=0``
silences it.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["console_progress"]

_WIDTH = 24


def _fmt(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def console_progress(label: str = "train", stream=None):
    """Return a callback ``(step, total, loss)``, or a no-op when ``ATTNLAB_PROGRESS=0``."""
    if os.environ.get("ATTNLAB_PROGRESS", "1") == "0":
        return lambda step, total, loss: None
    out = stream if stream is not None else sys.stderr
    tty = hasattr(out, "isatty") and out.isatty()
    start = time.monotonic()
    printed = set()

    def report(step: int, total: int, loss: float) -> None:
        elapsed = time.monotonic() - start
        eta = elapsed / step * (total - step) if step else 0.0
        text = f"{label} {step}/{total} loss {loss:.4g} elapsed {_fmt(elapsed)} eta {_fmt(eta)}"
        if tty:
            filled = _WIDTH * step // max(total, 1)
            out.write(f"\r{label} [{'#' * filled}{'.' * (_WIDTH - filled)}] " + text[len(label) + 1:])
            if step == total:
                out.write("\n")
        else:
            quarter = 4 * step // max(total, 1)
            if quarter in printed:
                return
            printed.add(quarter)
            out.write(text + "\n")
        out.flush()

    return report
