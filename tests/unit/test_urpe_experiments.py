"""urpe figure modules at a tiny size: tidy deterministic rows, summaries naming the reference quantities, plots,
config validation; and the tasks' targets."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from attnlab.experiments.urpe import fft_rpe, lower_bound_sweep, position_tasks
from attnlab.experiments.urpe.tasks import make_batch
from attnlab.theory.errors import ConfigError

CONFIGS = {key: (mod, mod.Config.tiny()) for key, mod in
           {"position-tasks": position_tasks, "lower-bound": lower_bound_sweep, "fft": fft_rpe}.items()}


@pytest.fixture(scope="module")
def tiny_rows():
    return {key: mod.run(cfg, 0) for key, (mod, cfg) in CONFIGS.items()}


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
