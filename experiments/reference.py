"""Paper reference numbers, stored as data beside each paper's plots (``paper_figs/<paper>/reference.json``).

``reference.<part>.json`` files beside it are merged in. Each figure id maps to ``{"locator": ..., "quantities": [q, ...]}`` where a quantity ``q`` has
``name`` (a key of the experiment's ``summarize(rows)``), ``relation`` (``approx``, ``less_than``,
``greater_than``), ``value``, ``tolerance`` (absolute, for ``approx``), ``source`` (where the number
was read or how it was derived) and ``provenance`` (``src``, ``derived`` or ``unverified``). Optional:
``judged: false`` with ``why`` (shown beside ours without a verdict) and ``needs_scale`` (``smoke`` or
``paper``: the smallest preset whose cells compute it).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from attnlab.theory.provenance import Provenance

__all__ = ["Relation", "load_reference", "figure_reference"]



class Relation(StrEnum):
    """How our number is compared with the paper's."""

    APPROX = "approx"
    LESS_THAN = "less_than"
    GREATER_THAN = "greater_than"


@cache
def load_reference(paper: str) -> dict:
    """Merge ``<paper>/reference.json`` and any ``<paper>/reference.<part>.json`` (one file per figure group)."""
    data: dict = {"paper": paper, "figures": {}}
    folder = Path(str(resources.files("attnlab.paper_figs"))) / paper
    paths = sorted(folder.glob("reference.json")) + sorted(folder.glob("reference.*.json"))
    for path in paths:
        part = json.loads(path.read_text())
        clash = set(part.get("figures", {})) & set(data["figures"])
        if clash:
            raise ValueError(f"{path}: figure ids {sorted(clash)} already defined in another reference file")
        data["figures"].update(part.get("figures", {}))
    path = folder
    for fig_id, fig in data["figures"].items():
        for q in fig.get("quantities", []):
            if q.get("relation") not in set(Relation):
                raise ValueError(f"{path}: {fig_id}/{q.get('name')}: relation must be one of {[str(r) for r in Relation]}")
            if q.get("provenance") not in set(Provenance):
                raise ValueError(f"{path}: {fig_id}/{q.get('name')}: provenance must be one of "
                                 f"{[str(p) for p in Provenance]}")
    return data


def figure_reference(figure_id: str) -> dict:
    """The reference entry of one figure (empty quantities when the paper reports none)."""
    paper = figure_id.split("/", 1)[0]
    return load_reference(paper).get("figures", {}).get(figure_id, {"locator": "", "quantities": []})
