"""The package version; part of every cache key, so a release invalidates stored results.

The single source is ``theory/VERSION`` (pyproject reads the same file), so the two cannot drift.
"""

from pathlib import Path

__version__ = (Path(__file__).resolve().parent / "VERSION").read_text().strip()
