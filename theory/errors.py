"""Errors that mean *the user asked for something invalid*.

The CLI turns every :class:`UserError` into one clear message and exit code 2; any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["UserError", "InvalidInputError", "UnknownIdError", "ConfigError", "MissingDependencyError",
           "PathError"]


class UserError(Exception):
    """Base class: the input is wrong, not the package."""


class InvalidInputError(UserError, ValueError):
    """An array or value is malformed (NaN, wrong shape, out of the allowed range)."""


class UnknownIdError(UserError, KeyError):
    """An id (claim, figure, paper) that the registry does not know."""

    def __init__(self, kind: str, given: str, valid: list[str], note: str = ""):
        self.kind, self.given, self.valid = kind, given, list(valid)
        shown = ", ".join(self.valid[:40]) + (f" ... ({len(self.valid) - 40} more)" if len(self.valid) > 40 else "")
        extra = f" ({note})" if note else ""
        super().__init__(f"unknown {kind} {given!r}{extra}; valid {kind}s: {shown}")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


class ConfigError(UserError, ValueError):
    """A config field is unknown, unparsable or out of range."""


class MissingDependencyError(UserError, ImportError):
    """An optional dependency (e.g. submitit for the slurm executor) is not installed."""


class PathError(UserError):
    """An output or store path that attnlab cannot use (missing parent, a file for a directory, unwritable,
    or an existing file that is not what it must be)."""
