"""Where a number or statement comes from: one enum for claims, reference data and verdicts in every layer."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Provenance"]


class Provenance(StrEnum):
    """``SRC``: read in the paper or its official code; ``DERIVED``: ours, verified by the package itself;
    ``UNVERIFIED``: recalled, not checked against the paper (its constants are never presented as the paper's)."""

    SRC = "src"
    DERIVED = "derived"
    UNVERIFIED = "unverified"

    def __str__(self) -> str:
        return self.value
