"""Configs: presets, parsed overrides, canonical form."""

from __future__ import annotations

import dataclasses

import pytest

from attnlab.experiments.config import SCALES, canonical_json
from attnlab.experiments.softmax_icl.lipschitz_ratio_vs_n import Config
from attnlab.theory.errors import ConfigError


def test_override_parses_to_the_field_type():
    cfg = Config.smoke().with_overrides({"d": "7", "R_values": "0.5,2", "seeds": "3,5"})
    assert cfg.d == 7 and cfg.R_values == (0.5, 2.0) and cfg.seeds == (3, 5)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("nope", "1", "valid fields: seeds, n_values"), ("d", "abc", "d expects int"),
     ("d", "0", "must be >= 1"), ("R_values", "nan", "must not be NaN"), ("R_values", "100", "(0, 8.4]")],
)
def test_bad_override_is_a_config_error_naming_what_is_valid(key, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("]", r"\]")):
        Config.smoke().with_overrides({key: value})


def test_configs_are_frozen_and_canonical():
    cfg = Config.smoke()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.d = 3  # type: ignore[misc]
    assert canonical_json(cfg.to_dict()) == canonical_json(Config.from_dict(cfg.to_dict()).to_dict())


def test_unknown_scale_is_rejected():
    with pytest.raises(ConfigError, match="valid scales: smoke, medium, paper"):
        Config.preset("huge")


def test_medium_is_a_preset_that_falls_back_to_smoke_where_a_config_defines_none():
    from attnlab.experiments.softmax_icl import fig4_linear_baseline as fig4

    assert Config.preset("medium") == Config.smoke()
    assert fig4.Config.preset("medium") == fig4.Config.medium() != fig4.Config.smoke()


@pytest.mark.parametrize("command", ["reproduce", "all"])
def test_the_cli_accepts_every_scale(command):
    from attnlab.experiments.cli import build_parser

    args = ["reproduce", "softmax_icl"] if command == "reproduce" else ["all"]
    for scale in SCALES:
        assert build_parser().parse_args([*args, "--scale", scale]).scale == scale
