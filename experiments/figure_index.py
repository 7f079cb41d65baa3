r"""Every figure's id, title, locator and plot, read from its module's source without importing it.

``attnlab list`` and selector resolution (``reproduce``, ``all``) need only what sits as literals in each
``FIGURE = Figure(id=..., paper=..., title=..., locator=..., plot=...)``. Importing the figure modules for
it loaded torch, cvxpy and scipy (1.5 s of the 3.5 s that ``attnlab list`` took); parsing them takes
milliseconds. A module whose ``FIGURE`` is not written with literal fields is imported instead, so the
index always says what the registry (:func:`attnlab.experiments.figures.all_figures`) says; a test checks
that the two agree for every figure.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from attnlab.experiments.figures import figure_module
from attnlab.proofs_checks.papers import all_papers

__all__ = ["FigureInfo", "figure_index", "figure_ids"]

_FIELDS = ("id", "paper", "title", "locator", "plot")


@dataclass(frozen=True)
class FigureInfo:
    """What ``attnlab list`` shows of a figure; ``module`` is its experiment module."""

    id: str
    paper: str
    title: str
    locator: str
    plot: str
    module: str


def _literal_figure(path: Path) -> dict | None:
    """The literal fields of ``FIGURE = Figure(...)`` in ``path``; None when there is none or one is not literal."""
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None  # importing it reports the error, naming the module
    for node in tree.body:
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["FIGURE"]
                and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "Figure"):
            found = {}
            for kw in node.value.keywords:
                if kw.arg in _FIELDS:
                    try:
                        found[kw.arg] = ast.literal_eval(kw.value)
                    except ValueError:
                        return None
            return found if set(found) == set(_FIELDS) else None
    return None


def _imported(module: str) -> FigureInfo | None:
    from attnlab.experiments.figures import Figure
    from attnlab.proofs_checks.papers import BrokenModuleError

    try:
        fig = getattr(importlib.import_module(module), "FIGURE", None)
    except Exception as exc:  # noqa: BLE001 - named and re-raised
        raise BrokenModuleError(module, exc) from exc
    if not isinstance(fig, Figure) or fig.run.__module__ != module or figure_module(fig.id) != module:
        return None
    return FigureInfo(fig.id, fig.paper, fig.title, fig.locator, fig.plot, module)


def figure_index() -> list[FigureInfo]:
    """Every figure of every declared paper, papers in key order, modules in name order."""
    out = []
    for paper in all_papers():
        package = f"attnlab.experiments.{paper}"
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for info in sorted(pkgutil.iter_modules(spec.submodule_search_locations), key=lambda i: i.name):
            if info.ispkg:
                continue
            module = f"{package}.{info.name}"
            path = Path(info.module_finder.path) / f"{info.name}.py"
            if not (path.exists() and "FIGURE" in path.read_text()):
                continue
            fields = _literal_figure(path)
            in_place = fields is not None and figure_module(fields["id"]) == module
            entry = FigureInfo(**fields, module=module) if in_place else _imported(module)
            if entry is not None:
                out.append(entry)
    return out


def figure_ids() -> list[str]:
    return [f.id for f in figure_index()]
