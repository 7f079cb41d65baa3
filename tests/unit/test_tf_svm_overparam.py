"""tf_svm/overparam-convergence (A4) at tiny size: tidy deterministic rows, fractions, summary names, plot, config."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from attnlab.experiments.figures import get_figure
from attnlab.experiments.reference import figure_reference
from attnlab.experiments.tf_svm import overparam_convergence as a4
from attnlab.theory.errors import ConfigError

TINY = replace(a4.Config.smoke(), n_values=(2, 3), T_values=(3, 4), d_values=(2, 5), instances=4, steps=60)


@pytest.fixture(scope="module")
def rows():
    return a4.run(TINY, 0)


def test_tiny_rows_are_tidy_one_per_cell_and_outcome(rows):
    assert len({tuple(sorted(r)) for r in rows}) == 1
    keys = [(r["n"], r["T"], r["d"], r["seed"], r["outcome"]) for r in rows]
    assert len(keys) == len(set(keys)) == 2 * 2 * 4
    assert {r["outcome"] for r in rows} == {"global", "local", "none", "feasible"}
    assert all(0 <= r["fraction"] <= 1 and r["count"] == round(r["fraction"] * r["instances"]) for r in rows)


def test_rows_are_deterministic_per_seed_and_differ_across_seeds(rows):
    assert a4.run(TINY, 0) == rows
    other = a4.run(replace(TINY, seeds=(1,)), 1)
    assert {r["seed"] for r in other} == {1}


def test_outcome_fractions_sum_to_one_per_cell(rows):
    cells = {}
    for r in rows:
        if r["outcome"] in a4.OUTCOMES:
            key = (r["n"], r["T"], r["d"], r["seed"])
            cells[key] = cells.get(key, 0.0) + r["fraction"]
    assert cells and all(math.isclose(v, 1.0) for v in cells.values())


def test_summary_names_every_reference_quantity_and_per_pair_keys(rows):
    summary = a4.summarize(rows)
    ref = figure_reference(a4.FIGURE.id)
    names = {q["name"] for q in ref["quantities"]}
    assert names and names <= set(summary)
    assert all(q["provenance"] in ("derived", "unverified") for q in ref["quantities"])  # A4 is unverified
    for n, T in ((2, 3), (3, 4)):
        assert f"d90_global_n{n}_T{T}" in summary
        assert f"global_fraction_n{n}_T{T}_dmax" in summary


def test_d90_is_the_smallest_d_reaching_ninety_percent():
    def row(d, g):
        return [{"n": 5, "T": 5, "d": d, "seed": 0, "outcome": o, "count": c, "instances": 10, "fraction": c / 10}
                for o, c in (("global", g), ("local", 10 - g), ("none", 0), ("feasible", 10))]

    rows = row(2, 3) + row(4, 9) + row(8, 10)
    s = a4.summarize(rows)
    assert s["d90_global_n5_T5"] == 4.0
    assert s["global_fraction_at_max_d"] == 1.0 and s["global_fraction_rises_with_d"] == pytest.approx(1.0)
    assert math.isnan(a4.summarize(row(2, 3))["d90_global_n5_T5"])


def test_plot_returns_a_figure_and_figure_is_registered(rows):
    import matplotlib.figure
    import matplotlib.pyplot as plt

    fig = get_figure("tf_svm/overparam-convergence").plot_fn()(rows)
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)


@pytest.mark.parametrize("bad", [
    {"T_values": (5,)}, {"n_values": (0, 3)}, {"T_values": (1, 5)}, {"d_values": ()}, {"d_values": (2, 2)},
    {"instances": 0}, {"steps": 0}, {"eta": 0.0}, {"threshold": 1.5},
])
def test_bad_config_raises_config_error(bad):
    with pytest.raises(ConfigError):
        replace(a4.Config.smoke(), **bad)
