"""softmax_icl F1/F2/F4 figure modules at a tiny size: tidy, deterministic rows; summaries; plots; configs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from attnlab.experiments.softmax_icl import fig1_training as fig1
from attnlab.experiments.softmax_icl import fig2_loss_vs_d as fig2
from attnlab.experiments.softmax_icl import fig4_linear_baseline as fig4
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import ConfigError

TINY = {"steps": 3, "batch_size": 7, "eval_every": 2, "n_eval": 11, "n_grid": 13}
CONFIGS = {
    "fig1": (fig1, fig1.Config(n=5, d=3, **TINY)),
    "fig1-query": (fig1, fig1.Config(n=5, d=3, attention="query", num_heads=2, **TINY)),
    "fig2": (fig2, fig2.Config(n=5, d_values=(3, 7), **TINY)),
    "fig4": (fig4, fig4.Config(N=5, d=3, **TINY)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {key: mod.run(cfg, 0) for key, (mod, cfg) in CONFIGS.items()}


def test_query_row_attention_gives_the_same_rows_as_full_attention_for_one_layer():
    cfg = CONFIGS["fig1"][1]
    query_rows = fig1.run(replace(cfg, attention="query", dtype="float64"), 0)
    full_rows = fig1.run(replace(cfg, dtype="float64"), 0)
    assert [(r["step"], r["metric"]) for r in query_rows] == [(r["step"], r["metric"]) for r in full_rows]
    assert_close([r["value"] for r in query_rows], [r["value"] for r in full_rows], TOL.gpu_float64,
                 "query-row vs full attention rows")


def test_presets_validate_and_differ():
    for mod in (fig1, fig2, fig4):
        smoke, paper = mod.Config.smoke(), mod.Config.paper()
        assert smoke.to_dict() != paper.to_dict()
    assert fig1.Config.paper().n == 200 and len(fig1.Config.paper().seeds) == 10
    assert fig4.Config.paper().input_range == 1.0 and fig4.Config.paper().clip_norm == 0.001


@pytest.mark.parametrize(
    ("cls", "bad"),
    [
        (fig1.Config, {"n": 1}),
        (fig1.Config, {"d": 0}),
        (fig1.Config, {"attention": "diagonal"}),
        (fig1.Config, {"eta_grid": (1.0, 0.5, 0.1)}),
        (fig1.Config, {"x_star_scale": 0.0}),
        (fig1.Config, {"dtype": "float16"}),
        (fig1.Config, {"beta2": 1.0}),
        (fig1.Config, {"steps": 0}),
        (fig2.Config, {"d_values": ()}),
        (fig2.Config, {"d_values": (3, 3)}),
        (fig4.Config, {"input_range": 0.0}),
        (fig4.Config, {"clip_norm": -1.0}),
    ],
)
def test_bad_config_raises_config_error(cls, bad):
    with pytest.raises(ConfigError):
        cls(**bad)


def test_overrides_parse_to_field_types_and_reject_unknown_fields():
    cfg = fig1.Config.smoke().with_overrides({"n": "200", "attention": "query", "eta_grid": "0.1,2,0.1"})
    assert cfg.n == 200 and cfg.attention == "query" and cfg.eta_grid == (0.1, 2.0, 0.1)
    with pytest.raises(ConfigError, match="valid fields"):
        fig1.Config.smoke().with_overrides({"lr_typo": "1"})
