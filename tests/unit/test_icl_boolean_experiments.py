"""icl_boolean figure modules at a tiny size: tidy deterministic rows, summaries, plots, configs, references."""

from __future__ import annotations

from dataclasses import replace

import pytest

from attnlab.experiments.figures import all_figures
from attnlab.experiments.icl_boolean import accuracy_vs_examples as A
from attnlab.experiments.icl_boolean import bayes_vs_pac as C
from attnlab.experiments.icl_boolean import teaching_vs_random as B
from attnlab.theory._tolerances import TOL
from attnlab.theory.errors import ConfigError

CONFIGS = {key: (mod, mod.Config.tiny()) for key, mod in {"accuracy": A, "teaching": B, "bayes-pac": C}.items()}


@pytest.fixture(scope="module")
def tiny_rows():
    return {key: mod.run(cfg, 0) for key, (mod, cfg) in CONFIGS.items()}


def test_icl_boolean_figures_are_registered_with_locators_and_choices():
    ids = {f.id for f in all_figures()}
    for mod in (A, B, C):
        assert mod.FIGURE.id in ids and mod.FIGURE.locator and mod.FIGURE.choices


def test_every_learner_is_scored_in_both_modes(tiny_rows):
    assert all({r["mode"] for r in rows} == {"clean", "official"} for rows in tiny_rows.values())


def test_trained_models_are_causal_and_both_prompt_types_are_scored(tiny_rows):
    caus = [r["value"] for rows in tiny_rows.values() for r in rows if r["metric"] == "causality_max_change"]
    assert caus and max(caus) <= TOL.gpu_float32.atol
    assert {r["prompts"] for r in tiny_rows["teaching"] if r["learner"] == "gpt2"} == {"teach", "random"}


def test_bayes_is_exact_after_the_teaching_prefix_and_not_blind_on_random_prompts(tiny_rows):
    s = B.summarize(tiny_rows["teaching"])
    assert s["mono_conjunction_teach_n5_bayes_teach_post_prefix_acc"] == pytest.approx(1.0)
    assert s["mono_conjunction_teach_n5_bayes_random_last_acc"] > 0.5


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
