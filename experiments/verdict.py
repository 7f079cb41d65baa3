"""Compare our summary numbers with the paper's reference quantities: one verdict row each."""

from __future__ import annotations

import math

__all__ = ["compare"]


def compare(ours: dict[str, float], quantities: list[dict]) -> list[dict]:
    """For each reference quantity: ours, the paper's, relation, tolerance, agrees (True/False/None).

    ``agrees`` is None when we did not compute the quantity (e.g. a figure run at too small a scale).
    """
    rows = []
    for q in quantities:
        name, rel, ref = q["name"], q["relation"], q.get("value")
        tol = float(q.get("tolerance", 0.0) or 0.0)
        mine = ours.get(name)
        if mine is None or (isinstance(mine, float) and math.isnan(mine)):
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
                "provenance": q.get("provenance"),
                "source": q.get("source", ""),
                "note": q.get("note", ""),
            }
        )
    return rows
