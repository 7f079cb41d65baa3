"""icl_boolean figure modules at a tiny size: tidy deterministic rows, summaries, plots, configs, references."""

from __future__ import annotations

import json
from dataclasses import replace

import matplotlib.figure
import pytest

from attnlab.experiments.figures import all_figures
from attnlab.experiments.icl_boolean import accuracy_vs_examples as A
from attnlab.experiments.icl_boolean import bayes_vs_pac as C
from attnlab.experiments.icl_boolean import teaching_vs_random as B
from attnlab.experiments.reference import figure_reference
from attnlab.paper_figs.style import plt
from attnlab.theory._tolerances import TOL
from attnlab.theory.errors import ConfigError
from tests.unit.figure_checks import assert_rows_repeat

TINY = {"models": ("gpt2",), "d_model": 8, "n_layers": 1, "n_heads": 2, "steps": 2, "batch": 5, "n_eval": 13}
CONFIGS = {
    "accuracy": (A, replace(A.Config.smoke(), cells=("conjunction:5:7", "parity:5:7"), **TINY)),
    "teaching": (B, replace(B.Config.smoke(), cells=("mono_conjunction_teach:5:9",), **TINY)),
    "bayes-pac": (C, replace(C.Config.smoke(), cell="conjunction:5:11", n_eval=17)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {key: mod.run(cfg, 0) for key, (mod, cfg) in CONFIGS.items()}


def test_icl_boolean_figures_are_registered_with_locators_and_choices():
    ids = {f.id for f in all_figures()}
    for mod in (A, B, C):
        assert mod.FIGURE.id in ids and mod.FIGURE.locator and mod.FIGURE.choices


@pytest.mark.parametrize("key", CONFIGS)
def test_tiny_rows_are_tidy_json_scalars_and_repeat(tiny_rows, key):
    mod, cfg = CONFIGS[key]
    rows = tiny_rows[key]
    assert all(isinstance(v, int | float | str | bool) for r in rows for v in r.values())
    assert json.loads(json.dumps(rows)) == rows
    assert_rows_repeat(rows, mod.run(cfg, 0))
    assert {r["mode"] for r in rows} == {"clean", "official"}


@pytest.mark.parametrize("key", CONFIGS)
def test_summary_and_plot(tiny_rows, key):
    mod, _ = CONFIGS[key]
    summary = mod.summarize(tiny_rows[key])
    assert summary and all(isinstance(v, float) for v in summary.values())
    fig = mod.FIGURE.plot_fn()(tiny_rows[key])
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)


def test_trained_models_are_causal_and_both_prompt_types_are_scored(tiny_rows):
    caus = [r["value"] for rows in tiny_rows.values() for r in rows if r["metric"] == "causality_max_change"]
    assert caus and max(caus) <= TOL.gpu_float32.atol
    assert {r["prompts"] for r in tiny_rows["teaching"] if r["learner"] == "gpt2"} == {"teach", "random"}


def test_bayes_is_exact_after_the_teaching_prefix_and_not_blind_on_random_prompts(tiny_rows):
    s = B.summarize(tiny_rows["teaching"])
    assert s["mono_conjunction_teach_n5_bayes_teach_post_prefix_acc"] == pytest.approx(1.0)
    assert s["mono_conjunction_teach_n5_bayes_random_last_acc"] > 0.5


def test_every_reference_quantity_has_provenance_and_a_source():
    for mod in (A, B, C):
        ref = figure_reference(mod.FIGURE.id)
        assert ref["quantities"]
        assert all(q["provenance"] in ("derived", "unverified") and q["source"] for q in ref["quantities"])


@pytest.mark.parametrize("bad", [{"cells": ("nope:5:7",)}, {"cells": ("conjunction:5",)}, {"models": ("rnn",)},
                                 {"baselines": ("oracle",)}, {"steps": 0}])
def test_bad_accuracy_configs_raise_config_errors(bad):
    with pytest.raises(ConfigError):
        replace(A.Config.smoke(), **bad)


def test_teaching_and_bayes_figures_refuse_cells_they_cannot_run():
    with pytest.raises(ConfigError):
        replace(B.Config.smoke(), cells=("conjunction:5:9",))
    with pytest.raises(ConfigError):
        replace(C.Config.smoke(), cell="conjunction:14:20")


def test_sampler_benchmarks_report_rates_against_the_loop_at_a_tiny_size():
    from attnlab.experiments.bench import BENCHMARKS
    from attnlab.experiments.icl_boolean.bench import bench_conjunction_sampler, bench_parity_sampler

    assert {"icl_boolean/conjunction-sampler", "icl_boolean/parity-sampler", "icl_boolean/training-step"} <= set(BENCHMARKS)
    for fn in (bench_conjunction_sampler, bench_parity_sampler):
        res = fn(prompts=40, loop_prompts=4)
        assert res["baseline_s"] > 0 and res["ours_s"] > 0 and res["shape"]["prompts"] == 40


def test_paper_presets_hold_the_official_settings():
    a = A.Config.paper()
    assert (a.d_model, a.n_layers, a.n_heads, a.lr, a.batch, a.steps, a.n_eval) == (256, 12, 8, 1e-4, 64, 15_000, 1280)
    assert "conjunction:28:40" in a.cells and "parity:20:140" in a.cells and a.grad_clip == 0
    assert B.Config.paper().cells[0].endswith(":28:40") and C.Config.paper().cell == "conjunction:8:70"
