"""Assertions shared by the per-paper figure tests (a helper module, not a test file)."""

from __future__ import annotations

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np

from attnlab.experiments.reference import figure_reference
from attnlab.theory._tolerances import TOL, is_close


def assert_rows_repeat(rows: list[dict], again: list[dict]) -> None:
    """Same columns on every row; a rerun gives the same rows (floats to the solver's own tolerance)."""
    assert rows and len({tuple(sorted(r)) for r in rows}) == 1
    assert len(again) == len(rows)
    for r, s in zip(rows, again, strict=True):
        assert {k: v for k, v in r.items() if not isinstance(v, float)} == \
            {k: v for k, v in s.items() if not isinstance(v, float)}
        floats = [k for k, v in r.items() if isinstance(v, float)]
        a, b = np.array([r[k] for k in floats]), np.array([s[k] for k in floats])
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert is_close(a[~np.isnan(a)], b[~np.isnan(b)], TOL.solver)


def assert_summary_and_plot(mod, rows: list[dict], exact: bool = False) -> None:
    """summarize(rows) names every reference quantity (exactly those when ``exact``); plot(rows) is a Figure.

    A quantity with ``"needs_scale"`` (``smoke`` or ``paper``) in the reference data is computed only from the
    cells of that preset (e.g. n = 28 prompts), so a tiny run may lack it; below that scale its verdict is
    "not computed"."""
    quantities = figure_reference(mod.FIGURE.id)["quantities"]
    names = {q["name"] for q in quantities}
    at_any_scale = {q["name"] for q in quantities if "needs_scale" not in q}
    summary = set(mod.summarize(rows))
    assert names and (summary == names if exact else at_any_scale <= summary)
    fig = mod.FIGURE.plot_fn()(rows)
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)
