"""What a claim check returns: a frozen record, never a bool."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import Enum, StrEnum
from typing import Any

import numpy as np

__all__ = ["Status", "Kind", "Comparison", "Budget", "ClaimCheck", "jsonable"]


class Status(StrEnum):
    """Outcome of a check. ``FAILED`` and ``INCONCLUSIVE`` make ``attnlab check`` exit 1."""

    PROVED_SYMBOLIC = "proved-symbolic"  # exact symbolic identity (sympy simplifies to 0)
    CERTIFIED = "certified"  # rigorous (interval arithmetic or solver certificate) on the instances
    EMPIRICAL_HOLDS = "empirical-holds"  # held on every instance tried; no proof
    NOT_APPLICABLE = "not-applicable"  # one given instance does not meet the hypotheses; reasons given
    INCONCLUSIVE = "inconclusive"  # a search found no applicable instance: nothing was tested; reasons given
    FAILED = "failed"  # a counterexample was found (see worst_instance), or the positive control broke

    def __str__(self) -> str:
        return self.value


class Kind(StrEnum):
    """How a claim is checked: an exact symbolic proof, a rigorous certificate, or a searched property.

    ``REPORT`` is a measurement, not a test: a bound that holds by a wide margin (or by construction of the
    quantities compared) is still evaluated and still fails when violated, but its record is shown with its
    looseness and never counted among verified theorems.
    """

    SYMBOLIC = "symbolic"
    CERTIFIED = "certified"
    EMPIRICAL = "empirical"
    REPORT = "report"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Comparison:
    r"""One instance's verdict for a claim ``lhs <= rhs`` (or ``|ours - ref| <= 0`` for identities).

    ``allowance`` is the absolute slack the tolerance policy grants at this instance; the claim holds
    here iff ``lhs <= rhs + allowance``.
    """

    lhs: float
    rhs: float
    allowance: float

    @property
    def slack(self) -> float:
        """Signed slack ``rhs - lhs``; >= -allowance means the claim holds at this instance."""
        return float(self.rhs - self.lhs)

    @property
    def holds(self) -> bool:
        return bool(np.isfinite(self.lhs) or self.lhs == -np.inf) and self.slack >= -self.allowance

    @property
    def tightness(self) -> float:
        r"""Scale-free closeness to violation: ``1 - (rhs + a - lhs) / (|rhs| + a)``.

        Equals ``lhs / (rhs + a)`` for a positive bound and ``error / a`` for an identity (rhs = 0);
        ``> 1`` exactly when the claim is violated, near 0 when it is loose.
        """
        denom = abs(self.rhs) + self.allowance
        if denom == 0:
            return math.inf if self.lhs > self.rhs else 0.0
        return float(1.0 - (self.rhs + self.allowance - self.lhs) / denom)


@dataclass(frozen=True)
class Budget:
    """How hard to search: number of generated instances and the seed that makes the run reproducible."""

    instances: int = 200
    seed: int = 0

    def __post_init__(self):
        from attnlab.theory.errors import InvalidInputError

        if self.instances < 1:
            raise InvalidInputError(f"budget must be >= 1 instance, got {self.instances}")


def jsonable(value: Any) -> Any:
    """Convert numpy arrays, dataclasses and floats into JSON-ready Python objects."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else repr(f)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True)
class ClaimCheck:
    """The record of one claim check.

    ``slack`` is signed, ``rhs - lhs`` at the worst instance (>= 0 means the claim holds there;
    a value in ``[-tolerance, 0)`` is within rounding). ``details`` carries claim-specific statistics,
    e.g. the best tightness ratio a search reached or the log10 looseness of a constant.
    """

    claim_id: str
    paper: str
    locator: str
    status: Status
    lhs: float | None
    rhs: float | None
    slack: float | None
    tolerance: dict
    instances_tried: int
    instances_applicable: int
    worst_instance: dict | None
    seed: int
    wall_time_s: float
    reasons: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)
    budget: int | None = None  # instances asked for (the search may try a few more: ascent, shrinking)
    kind: str = ""  # Kind of the claim; "report" records are measurements, not verified theorems
    evaluation_cap: int | None = None  # at most this many applicable instances are evaluated per run (cost)
    instances_capped: int = 0  # drawn instances skipped, unevaluated, because the cap was reached
    version: str = ""  # attnlab version that produced the record
    date: str = ""  # UTC, ISO 8601

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    def to_dict(self) -> dict:
        return jsonable(self)
