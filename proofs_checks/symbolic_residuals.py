r"""The one verdict for a symbolic identity, shared by every paper: residuals that must vanish exactly.

Following sympy's own practice (``==`` compares form, not value): a residual :math:`r` earns
``proved-symbolic`` only when the simplifier returns an exact ``0``. Before that, every residual is
evaluated exactly at random rational points (cheap, and it never needs the simplifier): a non-zero value
there is a counterexample (``failed``, with the point). Residuals that vanish at every point but that the
simplifier cannot reduce to ``0`` are ``empirical-holds``, with a note; never ``proved``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import Outcome
from attnlab.theory._lazy import lazy_module

sp = lazy_module("sympy")

__all__ = ["residual_outcome"]


def _cancel(r):
    return sp.cancel(sp.together(r))


def residual_outcome(residuals: Sequence, budget: Budget, details: dict, *,
                     simplifier: Callable | None = None, numerators: int = 9, denominators: int = 7) -> Outcome:
    """Verdict on ``residuals`` (sympy expressions that must equal 0).

    Args:
        residuals: the expressions.
        budget: its seed draws the rational points; ``max(2, min(instances // 50, 8))`` points are used.
        details: claim-specific details, kept in the outcome.
        simplifier: maps a residual to a canonical form (default ``cancel(together(r))``; ``sympy.simplify``
            for expressions with exponentials that cancel does not reduce).
        numerators, denominators: the rational points are ``p / q`` with ``|p| <= numerators``,
            ``1 <= q <= denominators`` (positive symbols get ``p >= 1``).
    """
    simplify = simplifier or _cancel
    residuals = list(residuals)
    symbols = sorted(set().union(*(r.free_symbols for r in residuals)), key=str) if residuals else []
    rng = random.Random(budget.seed)
    points = max(2, min(budget.instances // 50, 8))
    for _ in range(points):
        vals = {s: sp.Rational(rng.randint(1 if s.is_positive else -numerators, numerators),
                               rng.randint(1, denominators)) for s in symbols}
        for k, r in enumerate(residuals):
            v = sp.nsimplify(r.xreplace(vals))
            if v != 0:
                return Outcome(status=Status.FAILED, lhs=float(abs(v)), rhs=0.0, instances_tried=points,
                               instances_applicable=points, worst_instance={str(s): str(q) for s, q in vals.items()},
                               details={**details, "entry": k, "residual": str(v)})
    if any(simplify(r) != 0 for r in residuals):
        return Outcome(status=Status.EMPIRICAL_HOLDS, lhs=0.0, rhs=0.0, instances_tried=points,
                       instances_applicable=points,
                       details={**details, "note": f"zero at {points} rational points; the simplifier left a "
                                                   "non-zero form, so this is not a proof"})
    return Outcome(status=Status.PROVED_SYMBOLIC, lhs=0.0, rhs=0.0, instances_tried=points, instances_applicable=points,
                   details={**details, "rational_points": points, "method": "exact zero after simplification"})
