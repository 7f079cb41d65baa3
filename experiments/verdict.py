"""Compare our summary numbers with the paper's reference quantities: one verdict row each."""

from __future__ import annotations

import math

__all__ = ["compare"]


def compare(ours: dict[str, float], quantities: list[dict], scale: str = "smoke") -> list[dict]:
    """For each reference quantity: ours, the paper's, relation, tolerance, agrees and a verdict label.

    ``agrees`` is None when we did not compute the quantity (e.g. a figure run at too small a scale), and
    when the quantity is shown without a verdict (``"judged": false`` in the reference data, with its
    ``why``: a number from other data draws, or a paper statement with no number to compare against).
    ``verdict`` is ``agree``, ``DISAGREE``, ``not computed`` or ``not judged: <why>``. ``expected`` is the
    verdict the reference data expects at this ``scale`` (``agree`` unless it lists ``expect_<scale>``,
    with ``expect_why``), so an expected disagreement (a finding, or a scale too small to show the
    effect) is told apart from a surprise.
    """
    rows = []
    for q in quantities:
        name, rel, ref = q["name"], q["relation"], q.get("value")
        tol = float(q.get("tolerance", 0.0) or 0.0)
        mine = ours.get(name)
        judged = q.get("judged", True)
        if mine is None or (isinstance(mine, float) and math.isnan(mine)) or not judged:
            agrees = None
        elif rel == "approx":
            agrees = abs(mine - ref) <= tol
        elif rel == "less_than":
            agrees = mine < ref
        else:
            agrees = mine > ref
        rows.append(
            {
                "quantity": name,
                "ours": mine,
                "paper": ref,
                "relation": rel,
                "tolerance": tol,
                "agrees": agrees,
                "verdict": _label(agrees, judged, q.get("why", "")),
                "expected": q.get(f"expect_{scale}", "agree") if judged else "not judged",
                "expected_why": q.get("expect_why", ""),
                "provenance": q.get("provenance"),
                "source": q.get("source", ""),
                "note": q.get("note", ""),
            }
        )
    return rows


def _label(agrees, judged: bool, why: str) -> str:
    if not judged:
        return f"not judged: {why}" if why else "not judged"
    if agrees is None:
        return "not computed"
    return "agree" if agrees else "DISAGREE"
