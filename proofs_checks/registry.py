r"""The claims registry: every checkable statement of every paper, by id ``<paper>/<name>``.

Two ways to register a claim, both one decorator on one function:

* :func:`empirical_claim` decorates ``evaluate(instance) -> Comparison``; the registry supplies the
  search (Hypothesis strategy, hypotheses first, shrinking) and a negative control (a mutated
  ``evaluate`` or a strategy of broken instances) that must drive the status to ``failed``.
* :func:`claim` decorates ``check(budget, mutant) -> Outcome`` for symbolic proofs, solver
  certificates and anything else; ``mutant=True`` must run the negative control.

The CLI, ``CLAIMS.md`` and the tests all read :data:`REGISTRY` through :func:`all_claims`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis.strategies import SearchStrategy

from attnlab.proofs_checks.papers import all_papers, import_modules_below
from attnlab.proofs_checks.record import Budget, ClaimCheck, Comparison, Kind, Status, jsonable
from attnlab.proofs_checks.search import search_instances
from attnlab.proofs_checks.selectors import select_ids
from attnlab.theory._tolerances import Tolerance
from attnlab.theory._version import __version__
from attnlab.theory.errors import UnknownIdError
from attnlab.theory.provenance import Provenance

__all__ = [
    "Claim",
    "NegativeControl",
    "Outcome",
    "claim",
    "empirical_claim",
    "all_claims",
    "get_claim",
    "select_claims",
]



REGISTRY: dict[str, Claim] = {}


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What a check function returns; the registry adds id, paper, locator, seed and wall time."""

    status: Status
    lhs: float | None = None
    rhs: float | None = None
    tolerance: Tolerance | None = None
    allowance: float | None = None
    instances_tried: int = 0
    instances_applicable: int = 0
    worst_instance: Any = None
    reasons: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)
    evaluation_cap: int | None = None
    instances_capped: int = 0


@dataclass(frozen=True)
class NegativeControl:
    """A broken version of a claim that its check must reject.

    Give ``evaluate`` (a mutated formula or constant) or ``strategy`` (instances that violate the
    claim), and say in ``description`` what is broken.
    """

    description: str
    evaluate: Callable[[Any], Comparison] | None = None
    strategy: SearchStrategy | None = None


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One registered claim: metadata plus the function that checks it."""

    id: str
    paper: str
    name: str
    locator: str
    statement: str
    hypotheses: tuple[str, ...]
    kind: Kind
    provenance: Provenance
    negative_description: str
    _check: Callable[[Budget, bool], Outcome]
    test: str = ""
    figures: tuple[str, ...] = ()
    #: what lhs and rhs are measured in when it is not the statement's own quantity (e.g. "natural log")
    units: str = ""
    # empirical claims only: the pieces, for per-instance use and property tests
    strategy: SearchStrategy | None = None
    check_hypotheses: Callable[[Any], list[str]] | None = None
    evaluate: Callable[[Any], Comparison] | None = None

    def run(self, budget: Budget | None = None) -> ClaimCheck:
        """Check the claim within ``budget``; returns the record."""
        return self._record(budget or Budget(), mutant=False)

    def run_negative_control(self, budget: Budget | None = None) -> ClaimCheck:
        """Run the broken version; a sound check returns status ``failed`` here."""
        return self._record(budget or Budget(), mutant=True)

    def check_instance(self, instance) -> ClaimCheck:
        """Check one user-given instance (empirical claims): hypotheses first, then the comparison."""
        if self.evaluate is None or self.check_hypotheses is None:
            raise TypeError(f"{self.id} is a {self.kind} claim; it has no per-instance check")
        t0 = time.perf_counter()
        reasons = tuple(self.check_hypotheses(instance))
        if reasons:
            out = Outcome(status=Status.NOT_APPLICABLE, instances_tried=1, worst_instance=instance, reasons=reasons)
        else:
            comp = self.evaluate(instance)
            status = Status.EMPIRICAL_HOLDS if comp.holds else Status.FAILED
            out = Outcome(
                status=status, lhs=comp.lhs, rhs=comp.rhs, tolerance=None, allowance=comp.allowance, instances_tried=1, instances_applicable=1, worst_instance=instance,
                details={"tightness": comp.tightness},
            )
        return self._to_record(out, Budget(1, 0), time.perf_counter() - t0)

    def _record(self, budget: Budget, mutant: bool) -> ClaimCheck:
        t0 = time.perf_counter()
        out = self._check(budget, mutant)
        return self._to_record(out, budget, time.perf_counter() - t0)

    def _to_record(self, out: Outcome, budget: Budget, wall: float) -> ClaimCheck:
        slack = None if out.lhs is None or out.rhs is None else float(out.rhs - out.lhs)
        tol = out.tolerance.to_dict() if out.tolerance is not None else {}
        if out.allowance is not None:
            tol = {**tol, "allowance": float(out.allowance)}
        return ClaimCheck(
            claim_id=self.id,
            paper=self.paper,
            locator=self.locator,
            status=out.status,
            lhs=None if out.lhs is None else float(out.lhs),
            rhs=None if out.rhs is None else float(out.rhs),
            slack=slack,
            tolerance=tol,
            instances_tried=out.instances_tried,
            instances_applicable=out.instances_applicable,
            worst_instance=None if out.worst_instance is None else jsonable(out.worst_instance),
            seed=budget.seed,
            wall_time_s=wall,
            reasons=tuple(out.reasons),
            details=jsonable(out.details),
            budget=budget.instances,
            kind=self.kind.value,
            evaluation_cap=out.evaluation_cap,
            instances_capped=out.instances_capped,
            version=__version__,
            date=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )


def _register(c: Claim) -> Claim:
    paper, _, name = c.id.partition("/")
    if paper != c.paper or not name:
        raise ValueError(f"claim id {c.id!r} must be '<paper>/<name>' with paper {c.paper!r}")
    if not c.negative_description:
        raise ValueError(f"{c.id}: every claim needs a negative control")
    if c.id in REGISTRY:
        raise ValueError(f"claim {c.id!r} registered twice")
    REGISTRY[c.id] = c
    return c


def claim(
    claim_id: str,
    *,
    locator: str,
    statement: str,
    kind: Kind | str,
    negative: str,
    hypotheses: tuple[str, ...] = (),
    provenance: Provenance | str = Provenance.DERIVED,
    test: str = "",
    figures: tuple[str, ...] = (),
    units: str = "",
):
    """Register ``check(budget, mutant) -> Outcome``; ``negative`` describes what ``mutant=True`` breaks."""

    def deco(fn: Callable[[Budget, bool], Outcome]):
        paper, _, name = claim_id.partition("/")
        _register(
            Claim(id=claim_id, paper=paper, name=name, locator=locator, statement=statement,
                  hypotheses=tuple(hypotheses), kind=Kind(kind), provenance=Provenance(provenance),
                  negative_description=negative, _check=fn, test=test, figures=tuple(figures), units=units)
        )
        return fn

    return deco


def empirical_claim(
    claim_id: str,
    *,
    locator: str,
    statement: str,
    strategy: SearchStrategy,
    check_hypotheses: Callable[[Any], list[str]],
    tolerance: Tolerance,
    negative: NegativeControl,
    hypotheses: tuple[str, ...] = (),
    provenance: Provenance | str = Provenance.DERIVED,
    kind: Kind | str = Kind.EMPIRICAL,
    summarize: Callable[[Any], dict] | None = None,
    test: str = "",
    figures: tuple[str, ...] = (),
    refine: Callable[[Any, Callable[[Any], Comparison], Budget, bool], dict] | None = None,
    positive: SearchStrategy | None = None,
    units: str = "",
    evaluation_cap: int | None = None,
):
    """Register ``evaluate(instance) -> Comparison`` as a searched claim.

    ``evaluation_cap`` bounds the applicable instances evaluated per run when one evaluation is costly; the
    record states the cap and how many drawn instances it skipped (they count neither as tried nor as passed).

    ``positive`` is the claim's *positive-control family*: a strategy whose instances meet the hypotheses
    by construction. After the search, :func:`positive_control_budget` of them are checked; one judged
    not applicable (a broken hypothesis check, e.g. a flipped constraint sign) or violating the claim
    makes the status ``failed``, with the reason. Without ``positive`` a run with no applicable instance
    is ``inconclusive``.

    ``summarize(outcome)`` may add claim-specific statistics (best ratio, looseness) to ``details``.
    ``refine(outcome, evaluate, budget, mutant)`` runs after the Hypothesis search and may extend it
    in place (extra instances from a gradient ascent, interval certification that upgrades the status
    to ``certified``); it returns more ``details``. It receives the ``evaluate`` in use, so a negative
    control is searched the same way.
    """

    def deco(evaluate: Callable[[Any], Comparison]):
        def check(budget: Budget, mutant: bool) -> Outcome:
            ev = negative.evaluate if (mutant and negative.evaluate is not None) else evaluate
            st = negative.strategy if (mutant and negative.strategy is not None) else strategy
            found = search_instances(st, check_hypotheses, ev, budget, max_evaluations=evaluation_cap)
            extra = refine(found, ev, budget, mutant) if refine is not None else {}
            details = {"max_tightness": found.max_tightness, "shrink_calls": found.shrink_calls, **extra}
            positive_reasons: tuple[str, ...] = ()
            if positive is not None and found.status is not Status.FAILED:
                control = _run_positive_control(positive, check_hypotheses, ev, budget, evaluation_cap)
                details["positive_control"] = control.summary
                if control.failure is not None:
                    found.status, found.worst, found.worst_instance = Status.FAILED, control.worst, control.instance
                    positive_reasons = (control.failure,)
            if mutant:
                details["negative_control"] = negative.description
            if summarize is not None:
                details.update(summarize(found))
            w = found.worst
            return Outcome(
                status=found.status,
                lhs=None if w is None else w.lhs,
                rhs=None if w is None else w.rhs,
                tolerance=tolerance,
                allowance=None if w is None else w.allowance,
                instances_tried=found.tried,
                instances_applicable=found.applicable,
                worst_instance=found.worst_instance,
                reasons=positive_reasons + tuple(f"{r} ({n} instances)" for r, n in found.reasons.most_common()),
                details=details,
                evaluation_cap=evaluation_cap,
                instances_capped=found.capped,
            )

        paper, _, name = claim_id.partition("/")
        _register(
            Claim(id=claim_id, paper=paper, name=name, locator=locator, statement=statement,
                  hypotheses=tuple(hypotheses), kind=Kind(kind), provenance=Provenance(provenance),
                  negative_description=negative.description, _check=check, test=test, figures=tuple(figures),
                  strategy=strategy, check_hypotheses=check_hypotheses, evaluate=evaluate, units=units)
        )
        return evaluate

    return deco


def positive_control_budget(budget: Budget) -> Budget:
    """Instances of the positive-control family checked per run: a quarter of the budget, at least 2."""
    return Budget(instances=max(2, budget.instances // 4), seed=budget.seed + 1)


@dataclass(frozen=True, kw_only=True)
class _PositiveControl:
    summary: dict
    failure: str | None = None
    worst: Comparison | None = None
    instance: Any = None


def _run_positive_control(strategy, check_hypotheses, evaluate, budget: Budget,
                          evaluation_cap: int | None = None) -> _PositiveControl:
    """Check instances built to meet the hypotheses: each must be applicable and satisfy the claim."""
    pb = positive_control_budget(budget)
    found = search_instances(strategy, check_hypotheses, evaluate, pb, max_evaluations=evaluation_cap)
    summary = {"instances": found.tried, "applicable": found.applicable, "status": str(found.status)}
    if found.status is Status.FAILED:
        return _PositiveControl(summary=summary, failure="positive control: an instance built to meet the "
                                "hypotheses violates the claim", worst=found.worst, instance=found.worst_instance)
    if found.applicable < found.tried:
        unmet = "; ".join(f"{r} ({n})" for r, n in found.reasons.most_common())
        return _PositiveControl(summary=summary, failure="positive control: instances built to meet the hypotheses "
                                f"were judged not applicable: {unmet}")
    return _PositiveControl(summary=summary)


_LOADED: set[str] = set()


def _load_all() -> None:
    """Import every module of every declared paper (claims register themselves on import)."""
    for key in all_papers():
        if key not in _LOADED:
            import_modules_below(f"attnlab.proofs_checks.{key}")
            _LOADED.add(key)


def all_claims() -> list[Claim]:
    """Every registered claim, papers in key order, claims in module then definition order."""
    _load_all()
    order = {k: i for i, k in enumerate(all_papers())}
    return sorted(REGISTRY.values(), key=lambda c: order[c.paper])


def get_claim(claim_id: str) -> Claim:
    """The claim with this id, or :class:`~attnlab.theory.errors.UnknownIdError` listing the valid ids."""
    _load_all()
    if claim_id not in REGISTRY:
        raise UnknownIdError("claim", claim_id, sorted(REGISTRY))
    return REGISTRY[claim_id]


def select_claims(selectors: list[str] | tuple[str, ...]) -> list[Claim]:
    """Claims matching each selector (:func:`~attnlab.proofs_checks.selectors.select_ids`); empty means all."""
    claims = {c.id: c for c in all_claims()}
    return [claims[i] for i in select_ids(selectors, claims, all_papers(), "claim")]
