r"""Run a per-instance comparison over generated instances, the same way under pytest and the CLI.

The driver is Hypothesis itself: a ``@given`` body evaluates each drawn instance, reports
``target(tightness)`` so that Hypothesis steers toward near-violations, and raises on a violation so that
Hypothesis *shrinks* the counterexample. The last failing call is the shrunk instance, and it goes into
the record. Seeded with :class:`~attnlab.proofs_checks.record.Budget.seed`, so a run is reproducible.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

from attnlab.proofs_checks.record import Budget, Comparison, Status

__all__ = ["SearchOutcome", "search_instances"]


class _Violation(AssertionError):
    """Raised inside the Hypothesis body so that Hypothesis shrinks the instance."""


@dataclass
class SearchOutcome:
    """What a search saw: counts, the worst comparison and instance, and unmet-hypothesis reasons."""

    status: Status
    tried: int = 0
    applicable: int = 0
    worst: Comparison | None = None
    worst_instance: Any = None
    reasons: Counter = field(default_factory=Counter)
    shrink_calls: int = 0
    max_tightness: float = -math.inf
    capped: int = 0


def search_instances(
    strategy: SearchStrategy,
    hypotheses: Callable[[Any], list[str]],
    evaluate: Callable[[Any], Comparison],
    budget: Budget,
    max_evaluations: int | None = None,
) -> SearchOutcome:
    """Draw up to ``budget.instances`` instances, check hypotheses first, then evaluate.

    Instances whose hypotheses fail are counted with their reasons and not evaluated. With
    ``max_evaluations`` (a cost cap), once that many applicable instances were evaluated, later draws are
    counted in ``capped`` and neither tried nor evaluated (shrinking a failure is never capped). The outcome's
    status is ``FAILED`` with the shrunk counterexample, ``EMPIRICAL_HOLDS``, or ``INCONCLUSIVE`` when
    no drawn instance met the hypotheses (nothing was tested).
    """
    out = SearchOutcome(status=Status.EMPIRICAL_HOLDS)
    state = {"failing": False, "failure": None}

    def body(inst):
        if state["failing"]:
            out.shrink_calls += 1
        elif max_evaluations is not None and out.applicable >= max_evaluations:
            out.capped += 1
            return
        else:
            out.tried += 1
        reasons = list(hypotheses(inst))
        if reasons:
            if not state["failing"]:
                out.reasons.update(reasons)
            return
        comp = evaluate(inst)
        if not state["failing"]:
            out.applicable += 1
        tight = comp.tightness
        if math.isfinite(tight):
            target(tight, label="tightness")
        if not comp.holds:
            state["failing"] = True
            state["failure"] = (comp, inst)  # the last failing call is Hypothesis's shrunk example
            raise _Violation(f"violated: lhs={comp.lhs!r} rhs={comp.rhs!r}")
        if not state["failing"] and tight > out.max_tightness:
            out.max_tightness = tight
            out.worst, out.worst_instance = comp, inst

    runner = hypothesis_seed(budget.seed)(
        settings(
            max_examples=budget.instances,
            database=None,
            deadline=None,
            derandomize=False,
            print_blob=False,
            phases=[Phase.generate, Phase.target, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )(given(strategy)(body))
    )
    try:
        runner()
    except (_Violation, Flaky):
        pass
    if state["failure"] is not None:
        comp, inst = state["failure"]
        out.status, out.worst, out.worst_instance = Status.FAILED, comp, inst
        out.max_tightness = max(out.max_tightness, comp.tightness)
    elif out.applicable == 0:
        out.status = Status.INCONCLUSIVE
    return out
