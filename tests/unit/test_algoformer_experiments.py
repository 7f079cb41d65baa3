"""algoformer figure modules at a tiny size: registered, tidy deterministic rows, summaries, plots, configs."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.experiments.algoformer import (
    error_vs_n,
    float32_drift,
    loops_vs_algorithms,
    softmax_copy_vs_beta,
)
from attnlab.experiments.algoformer.tasks import TASKS, make_task
from attnlab.experiments.figures import get_figure
from attnlab.paper_figs.style import plt
from attnlab.theory.errors import ConfigError

CONFIGS = {key: (mod, mod.Config.tiny()) for key, mod in {"error-vs-n": error_vs_n, "loops-vs-algorithms": loops_vs_algorithms,
                                                     "softmax-copy-vs-beta": softmax_copy_vs_beta}.items()}


@pytest.fixture(scope="module")
def tiny_rows():
    return {k: mod.run(cfg, 0) for k, (mod, cfg) in CONFIGS.items()}


def test_algoformer_figures_are_registered_with_choices_and_locators():
    for mod in (error_vs_n, loops_vs_algorithms, softmax_copy_vs_beta, float32_drift):
        assert get_figure(mod.FIGURE.id) is mod.FIGURE and mod.FIGURE.choices and mod.FIGURE.locator


def test_error_vs_n_rows_hold_every_model_and_the_construction_per_task(tiny_rows):
    rows = tiny_rows["error-vs-n"]
    for task in ("representation", "ar", "cot"):
        assert {r["model"] for r in rows if r["task"] == task} == {"standard", "looped", "algoformer", "construction", "oracle_ols"}


def test_loops_rows_extrapolate_beyond_the_trained_count_and_cg_is_exact_after_d_steps(tiny_rows):
    rows = tiny_rows["loops-vs-algorithms"]
    assert max(r["t"] for r in rows if r["method"] == "looped") == 4  # extrapolate 2 x b = 2
    cg = [r["err"] for r in rows if r["method"] == "cg" and r["t"] == 3]
    assert cg[0] < 1e-20  # n = 5 >= d = 3, noiseless: CG solves S w = b in d steps
    gaps = {r["metric"] for r in rows if r["method"] in ("looped", "algoformer")}
    assert gaps == {"error", "train_loss", "perm_gap", "rot_gap", "scale_gap"}


def test_every_task_draws_prompts_of_its_declared_shape():
    for name in TASKS:
        task = make_task(name, 3, 7)
        p = task.sample(np.random.default_rng(0), 5)
        assert p.inputs.shape == (5, task.length, task.d_in) and p.targets.shape == (5, task.length, task.d_out)
        assert p.mask.shape == (5, task.length) and p.mask.any()


def test_unknown_task_and_bad_sizes_are_config_errors():
    with pytest.raises(ConfigError):
        error_vs_n.Config(tasks=("nope",))
    with pytest.raises(ConfigError):
        loops_vs_algorithms.Config(d_model=10, n_heads=3)
    with pytest.raises(ConfigError):
        make_task("nope", 3, 7)


def test_softmax_copy_error_never_exceeds_its_bound_and_decays_at_rate_one(tiny_rows):
    summary = softmax_copy_vs_beta.summarize(tiny_rows["softmax-copy-vs-beta"])
    assert summary["max_error_over_bound"] <= 1.0
    assert abs(summary["log_error_slope_vs_beta"] + 1.0) < 0.1


def test_float32_drift_rows_grow_from_rounding_level_and_plot():
    cfg = float32_drift.Config(d=3, n=5, prompts=7, T=50, device="cpu")
    rows = float32_drift.run(cfg, 0)
    assert rows[0]["t"] == 1 and rows[-1]["t"] == 50
    assert 0 < rows[0]["rel_max"] < 1e-5 and float32_drift.summarize(rows)["rel_max_at_T"] < 1e-3
    plt.close(float32_drift.FIGURE.plot_fn()(rows))
