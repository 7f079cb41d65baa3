r"""Every path attnlab reads or writes, derived and checked in one place (showyourwork's ``paths.py``).

Defaults are relative to the current working directory: ``results/`` for claims, reproductions, reports
and benchmarks (``--out`` overrides it) and ``<out>/attnlab.sqlite`` for the store (``--store`` or
``ATTNLAB_STORE`` override it).

Rules for a path the user names (checked before anything is computed; a miss is a
:class:`~attnlab.theory.errors.PathError`, exit 2):

* an output directory may exist (it must then be a writable directory) or be new, in which case its
  parent must already exist: attnlab creates the directory you name and what lies below it, never a
  missing parent;
* an output file (``check --json``) must not be a directory, and its parent must exist;
* writability is probed by creating and removing the leaf itself (root passes every permission check,
  and ``/proc`` or ``/sys`` refuse only at creation), so nothing is left behind by a check.

Training checkpoints are kept only where ``ATTNLAB_CHECKPOINTS`` names a folder (off by default; a
resumed run gives the same rows, so they are not part of any cache key).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from attnlab.theory.errors import PathError

__all__ = ["default_store", "default_out", "figure_dir", "claims_json", "check_out_dir", "check_out_file",
           "check_readable_dir", "existing_parent", "check_new_file", "checkpoint_dir"]

STORE_ENV = "ATTNLAB_STORE"
CHECKPOINT_ENV = "ATTNLAB_CHECKPOINTS"


def default_out(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit) if explicit else Path("results")


def default_store(explicit: str | os.PathLike | None = None, out: str | os.PathLike | None = None) -> Path:
    """``explicit``, else ``$ATTNLAB_STORE``, else ``<out>/attnlab.sqlite`` (``results/attnlab.sqlite``)."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(STORE_ENV) or default_out(out) / "attnlab.sqlite")


def slug(identifier: str) -> str:
    """A file-system-safe name for an id such as ``softmax_icl/fig1-training``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", identifier)


def figure_dir(out: Path, figure_id: str, variant: str = "") -> Path:
    """``<out>/figures/<slug>``; a reproduction at another scale or with overrides goes beside it, in
    ``<slug>--<variant>``, so it never replaces the default one."""
    return out / "figures" / (slug(figure_id) + (f"--{re.sub(r'[^A-Za-z0-9_.,=+-]+', '_', variant)}" if variant else ""))


def claims_json(out: Path) -> Path:
    return out / "claims.json"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def existing_parent(path: Path, option: str) -> Path:
    """The parent directory of ``path``, which must exist: attnlab never creates a missing parent."""
    parent = path.absolute().parent
    if not parent.exists():
        missing = parent
        while not missing.parent.exists():
            missing = missing.parent
        raise PathError(f"{option} {path}: directory {missing} does not exist; create it first "
                        f"(attnlab creates only the path you name, never its parents)")
    if not parent.is_dir():
        raise PathError(f"{option} {path}: {parent} is not a directory")
    return parent


def check_out_dir(path: Path, option: str = "--out") -> Path:
    """Check that ``path`` can be the output directory, creating nothing; return it."""
    if path.exists():
        if not path.is_dir():
            raise PathError(f"{option} {path} is a file, not a directory; name a directory")
        try:
            tempfile.TemporaryFile(dir=path).close()
        except OSError as exc:
            raise PathError(f"{option} {path}: cannot write in this directory ({_reason(exc)})") from None
        return path
    existing_parent(path, option)
    try:  # probe: create and remove the leaf, the one directory attnlab would create
        path.mkdir()
        path.rmdir()
    except OSError as exc:
        raise PathError(f"{option} {path}: cannot create this directory ({_reason(exc)})") from None
    return path


def check_out_file(path: Path, option: str) -> Path:
    """Check that ``path`` can be written as a file (overwriting a file is fine), creating nothing."""
    if path.is_dir():
        raise PathError(f"{option} {path} is a directory; name a file such as {path / 'claims.json'}")
    if path.exists():
        if not path.is_file():
            raise PathError(f"{option} {path} exists and is not a regular file")
        try:
            with path.open("r+b"):  # opened for writing, nothing written
                pass
        except OSError as exc:
            raise PathError(f"{option} {path}: cannot write this file ({_reason(exc)})") from None
        return path
    return check_new_file(path, option)


def check_new_file(path: Path, option: str, what: str = "this file") -> Path:
    """A file attnlab will create: its parent must exist and creating it must work (probed, then removed)."""
    existing_parent(path, option)
    try:
        with path.open("xb"):
            pass
        path.unlink()
    except OSError as exc:
        raise PathError(f"{option} {path}: cannot create {what} here ({_reason(exc)})") from None
    return path


def check_readable_dir(path: Path, option: str = "--out") -> Path:
    """A results directory that is only read (``list --out``): absent is fine, a file is not."""
    if path.exists() and not path.is_dir():
        raise PathError(f"{option} {path} is a file, not a results directory")
    return path


def checkpoint_dir() -> Path | None:
    """Where training runs save and resume checkpoints (``ATTNLAB_CHECKPOINTS``), or None: no checkpoints."""
    value = os.environ.get(CHECKPOINT_ENV)
    return Path(value) if value else None
