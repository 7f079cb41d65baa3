"""Every directory attnlab writes to, derived in one place (showyourwork's ``paths.py``).

Defaults are relative to the current working directory: ``results/attnlab.sqlite`` for the store
(``--store`` or ``ATTNLAB_STORE`` override it) and ``results/`` for reproductions and reports
(``--out`` overrides it). Training checkpoints are kept only where ``ATTNLAB_CHECKPOINTS`` names a
folder (off by default; a resumed run gives the same rows, so they are not part of any cache key).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["default_store", "default_out", "figure_dir", "claims_json", "checkpoint_dir"]

STORE_ENV = "ATTNLAB_STORE"
CHECKPOINT_ENV = "ATTNLAB_CHECKPOINTS"


def default_store(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(STORE_ENV) or Path("results") / "attnlab.sqlite")


def default_out(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit) if explicit else Path("results")


def slug(identifier: str) -> str:
    """A file-system-safe name for an id such as ``softmax_icl/fig1-training``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", identifier)


def figure_dir(out: Path, figure_id: str, variant: str = "") -> Path:
    """``<out>/figures/<slug>``; a reproduction at another scale or with overrides goes beside it, in
    ``<slug>--<variant>``, so it never replaces the default one."""
    return out / "figures" / (slug(figure_id) + (f"--{slug(variant)}" if variant else ""))


def claims_json(out: Path) -> Path:
    return out / "claims.json"


def checkpoint_dir() -> Path | None:
    """Where training runs save and resume checkpoints (``ATTNLAB_CHECKPOINTS``), or None: no checkpoints."""
    value = os.environ.get(CHECKPOINT_ENV)
    return Path(value) if value else None
