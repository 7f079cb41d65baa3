"""Where every stored number comes from: package version, source commit and date of the run.

The commit is read from the source tree's git checkout when there is one (``git rev-parse``; a tree with
uncommitted changes is marked ``+dirty``), else ``unknown`` (an installed wheel has no git history).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from attnlab.theory._version import __version__

__all__ = ["run_info", "source_commit"]


@cache
def source_commit() -> str:
    """Short commit of the checkout this package runs from, ``+dirty`` if modified; ``unknown`` outside git."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "") if rev else "unknown"


def run_info() -> dict[str, str]:
    """``{"version", "commit", "date"}`` for the run being written now (date in UTC, ISO 8601)."""
    return {"version": __version__, "commit": source_commit(),
            "date": datetime.now(UTC).replace(microsecond=0).isoformat()}
