"""Progress for sweeps and training loops, on stderr: a tqdm bar on a terminal, plain lines otherwise.

A redirected log gets one line per finished item (``claims: 3/39 softmax_icl/gradient-formula, 12 s
elapsed, ~2:40 left``, the item named when a ``label`` is given) and no
escape codes; loops marked ``leave=False`` (inner loops such as training steps) write at most one line
every ``INNER_INTERVAL_S`` seconds. ``ATTNLAB_PROGRESS=0`` silences both (tests do). Nothing goes to
stdout, so tables and JSON printed by the CLI stay clean.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["progress", "PlainProgress", "INNER_INTERVAL_S", "training_progress"]

INNER_INTERVAL_S = 30.0


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class PlainProgress:
    """The tqdm subset the package uses (iterate, ``update``, ``close``), as plain lines."""

    def __init__(self, iterable=None, *, total: int | None = None, desc: str = "", min_interval_s: float = 0.0,
                 stream=None, label=None):
        self.iterable, self.desc, self.min_interval_s, self.label = iterable, desc, min_interval_s, label
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.n, self._t0, self._last = 0, time.monotonic(), float("-inf")
        self._stream = stream or sys.stderr

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1, item=item)

    def update(self, n: int = 1, item=None) -> None:
        self.n += n
        now = time.monotonic()
        if now - self._last < self.min_interval_s and self.n != self.total:
            return
        self._last = now
        elapsed = now - self._t0
        done = f"{self.n}/{self.total}" if self.total else str(self.n)
        if self.label is not None and item is not None:
            done += f" {self.label(item)}"
        left = f", ~{_clock(elapsed / self.n * (self.total - self.n))} left" if self.total and self.n else ""
        self._stream.write(f"{self.desc}: {done}, {_clock(elapsed)} elapsed{left}\n")
        self._stream.flush()

    def close(self) -> None:
        """Nothing to clean up (tqdm's interface)."""


class _Silent(PlainProgress):
    def update(self, n: int = 1, item=None) -> None:
        self.n += n


def progress(iterable=None, *, total: int | None = None, desc: str = "", leave: bool = True, label=None):
    """Wrap ``iterable`` (or count ``update`` calls up to ``total``) with progress on stderr.

    ``label(item) -> str`` names each finished item in plain lines (a bar shows only counts)."""
    if os.environ.get("ATTNLAB_PROGRESS", "1") == "0":
        return _Silent(iterable, total=total, desc=desc)
    if not sys.stderr.isatty():
        return PlainProgress(iterable, total=total, desc=desc, min_interval_s=0.0 if leave else INNER_INTERVAL_S,
                             label=label)
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=leave, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)


def training_progress(desc: str, total: int):
    """A ``(step, total, loss)`` callback for :func:`attnlab.gpu.training.train` drawing one transient bar."""
    bar = progress(total=total, desc=desc, leave=False)
    done = [0]

    def report(step: int, total: int, loss: float) -> None:
        if hasattr(bar, "set_postfix"):  # a tqdm bar on a terminal; plain lines show counts only
            bar.set_postfix(loss=f"{loss:.3g}", refresh=False)
        bar.update(step - done[0])
        done[0] = step
        if step == total:
            bar.close()

    return report
