"""urpe figure modules at a tiny size: tidy deterministic rows, summaries naming the reference quantities, plots,
config validation; and the tasks' targets."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from attnlab.experiments.urpe import fft_rpe, lower_bound_sweep, position_tasks
from attnlab.experiments.urpe.tasks import make_batch
from attnlab.theory.errors import ConfigError

CONFIGS = {
    "position-tasks": (position_tasks, position_tasks.Config(
        tasks=("pi", "etp", "pi_const"), variants=("none", "t5", "urpe"), n=6, vocab=5, d_model=8, n_layers=1,
        n_heads=2, d_ff=7, steps=3, batch=5, eval_every=2, n_eval=7)),
    "lower-bound": (lower_bound_sweep, lower_bound_sweep.Config(depths=(1,), widths=(4,), n=5, steps=3, batch=6,
                                                                n_eval=7)),
    "fft": (fft_rpe, fft_rpe.Config(log2_n=(3, 5), naive_max_n=16, repeats=1, m=3, d=5, dv=2)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {key: mod.run(cfg, 0) for key, (mod, cfg) in CONFIGS.items()}


def _untimed(rows):
    return [r for r in rows if not r["metric"].startswith("time")]


@pytest.mark.parametrize("key", CONFIGS)
def test_tiny_rows_are_json_scalars_with_one_set_of_columns_and_repeat(tiny_rows, key):
    mod, cfg = CONFIGS[key]
    rows = tiny_rows[key]
    assert rows and all(isinstance(v, int | float | str | bool) for r in rows for v in r.values())
    assert len(json.loads(json.dumps(rows))) == len(rows)
    assert len({tuple(sorted(r)) for r in rows}) == 1
    assert _untimed(mod.run(cfg, 0)) == _untimed(rows)


def test_position_rows_hold_urpe_tables_for_every_offset(tiny_rows):
    tables = [r for r in tiny_rows["position-tasks"] if r["kind"] == "table" and r["variant"] == "urpe"]
    assert {r["table"] for r in tables} == {"B", "C"}
    assert sorted({r["offset"] for r in tables}) == list(range(-5, 6))


def test_rpe_is_at_most_one_position_right_on_constant_sequences(tiny_rows):
    s = position_tasks.summarize(tiny_rows["position-tasks"])
    assert s["pi_const_acc_times_n_t5"] <= 1 + 1e-6 and s["pi_const_acc_times_n_none"] <= 1 + 1e-6


def test_etp_targets_are_the_odd_index_tokens_then_the_filler():
    g = torch.Generator().manual_seed(0)
    b = make_batch("etp", 3, 8, 5, g)
    tok = b.inputs.argmax(-1)
    assert torch.equal(b.targets[:, :4], tok[:, 1::2]) and torch.all(b.targets[:, 4:] == 5)
    c = make_batch("pi_const", 3, 8, 5, g)
    assert torch.all(c.inputs.argmax(-1) == c.inputs.argmax(-1)[:, :1]) and torch.equal(c.targets[0], torch.arange(8))


@pytest.mark.parametrize("mod,bad", [(position_tasks, {"n": 7}), (position_tasks, {"variants": ("alibi",)}),
                                     (lower_bound_sweep, {"alpha": 0.0}), (fft_rpe, {"log2_n": (20,)})])
def test_out_of_range_configs_are_config_errors(mod, bad):
    with pytest.raises(ConfigError):
        replace(mod.Config.smoke(), **bad)
