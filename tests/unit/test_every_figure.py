"""Every registered figure, of every paper, at its ``tiny()`` preset: it runs, its rows are tidy JSON scalars and
repeat exactly for the same seed, its summary names every reference quantity, and its plot is a Figure.
A new figure is tested here without a new test file."""

from __future__ import annotations

import json

import pytest
from figure_checks import assert_rows_repeat, assert_summary_and_plot

from attnlab.experiments.figures import all_figures

FIGURES = all_figures()


def _untimed(rows: list[dict]) -> list[dict]:
    """Rows without wall-clock measurements (metrics named ``time*``), which never repeat exactly."""
    return [r for r in rows if not str(r.get("metric", "")).startswith("time")]


@pytest.fixture(scope="module")
def tiny_rows():
    cache: dict[str, list[dict]] = {}

    def rows(fig):
        if fig.id not in cache:
            cache[fig.id] = fig.run(fig.config_cls.tiny(), 0)
        return cache[fig.id]

    return rows


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.id)
def test_tiny_rows_are_tidy_json_scalars_and_repeat_for_the_same_seed(figure, tiny_rows):
    rows = tiny_rows(figure)
    assert rows, f"{figure.id} produced no rows"
    json.dumps(rows)  # plain data only: the store and rows.csv take it as is
    assert all(not isinstance(v, (list, dict)) for r in rows for v in r.values())
    assert_rows_repeat(_untimed(rows), _untimed(figure.run(figure.config_cls.tiny(), 0)))


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.id)
def test_summary_names_every_reference_quantity_and_plot_is_a_figure(figure, tiny_rows):
    import importlib

    from attnlab.experiments.figures import figure_module

    assert_summary_and_plot(importlib.import_module(figure_module(figure.id)), tiny_rows(figure))


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.id)
def test_presets_differ_and_tiny_is_the_smallest(figure):
    cls = figure.config_cls
    assert cls.tiny().to_dict() != cls.paper().to_dict()
    assert cls.smoke().to_dict() != cls.paper().to_dict()
