r"""The results store: one SQLite file, written only by the controlling process, in transactions.

Tables: ``cells(key, experiment, config, seed, version, wall_s, n_rows, created)`` and
``rows(cell_key, idx, data)``. A cell and all its rows are inserted in one transaction, so after a
crash a cell is either complete or absent: a rerun recomputes exactly the missing cells, and no row
is lost or duplicated.

Opening never modifies a file that is not an attnlab store: :func:`check_store_path` reads the
SQLite header and the table names first and raises :class:`~attnlab.theory.errors.PathError`
(exit 2 in the CLI) for a directory, a non-database, a foreign database, or a place where no file
can be created (``/proc``, ``/sys``, a missing parent).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from attnlab.experiments.paths import check_new_file
from attnlab.theory.errors import PathError

__all__ = ["ResultStore", "check_store_path"]

_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY, experiment TEXT NOT NULL, config TEXT NOT NULL, seed INTEGER NOT NULL,
    version TEXT NOT NULL, wall_s REAL, n_rows INTEGER NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    cell_key TEXT NOT NULL REFERENCES cells(key), idx INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (cell_key, idx)
);
"""


def _tables(path: Path) -> set[str]:
    uri = f"{path.absolute().as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()


def check_store_path(path: str | Path, option: str = "--store") -> Path:
    """Check that ``path`` is an attnlab store or can become one, without modifying or leaving anything."""
    path = Path(path)
    if path.is_dir():
        raise PathError(f"{option} {path} is a directory; name a file such as {path / 'attnlab.sqlite'}")
    if not path.exists():
        return check_new_file(path, option, "the store")
    if not path.is_file():
        raise PathError(f"{option} {path} is not a regular file")
    try:
        with path.open("r+b") as fh:  # opened for writing to test permission; only read
            head = fh.read(len(_MAGIC))
    except OSError as exc:
        raise PathError(f"{option} {path}: cannot open the store for writing ({exc.strerror})") from None
    if not head:
        return path  # an empty file is an empty database
    if head != _MAGIC:
        raise PathError(f"{option} {path} is not a SQLite database (left untouched); name a new file or an "
                        f"attnlab store")
    try:
        tables = _tables(path)
    except sqlite3.Error as exc:
        raise PathError(f"{option} {path}: unreadable SQLite database ({exc}); left untouched") from None
    if tables and not {"cells", "rows"} <= tables:
        raise PathError(f"{option} {path} is a SQLite database but not an attnlab store (tables: "
                        f"{', '.join(sorted(tables))}); left untouched")
    return path


class ResultStore:
    """Content-addressed rows by cell key. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path):
        self.path = check_store_path(path, option="store")
        self._db = sqlite3.connect(self.path, timeout=60)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            raise PathError(f"store {self.path}: cannot open ({exc})") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._db.close()

    def stored_keys(self, keys) -> set[str]:
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key FROM cells WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(k for (k,) in self._db.execute(q, chunk))
        return found

    def put(self, key: str, experiment: str, config: str, seed: int, version: str, rows: list[dict],
            wall_s: float) -> bool:
        """Insert a cell with its rows atomically; returns False (and writes nothing) if already stored."""
        payload = [(key, i, json.dumps(r, sort_keys=True, allow_nan=True)) for i, r in enumerate(rows)]
        with self._db:  # one transaction
            cur = self._db.execute(
                "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, experiment, config, seed, version, wall_s, len(rows), time.time()),
            )
            if cur.rowcount == 0:
                return False
            self._db.executemany("INSERT INTO rows VALUES (?, ?, ?)", payload)
        return True

    def rows(self, keys) -> list[dict]:
        """All rows of the given cells, in (cell order given, row index) order."""
        out: list[dict] = []
        for key in keys:
            for (data,) in self._db.execute("SELECT data FROM rows WHERE cell_key = ? ORDER BY idx", (key,)):
                out.append(json.loads(data))
        return out

    def count(self, experiment: str | None = None) -> tuple[int, int]:
        """(number of cells, number of rows), optionally for one experiment."""
        if experiment is None:
            (c,) = self._db.execute("SELECT COUNT(*) FROM cells").fetchone()
            (r,) = self._db.execute("SELECT COUNT(*) FROM rows").fetchone()
        else:
            (c,) = self._db.execute("SELECT COUNT(*) FROM cells WHERE experiment = ?", (experiment,)).fetchone()
            (r,) = self._db.execute(
                "SELECT COUNT(*) FROM rows JOIN cells ON rows.cell_key = cells.key WHERE experiment = ?",
                (experiment,),
            ).fetchone()
        return c, r
