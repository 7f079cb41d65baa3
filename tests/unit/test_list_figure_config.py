"""`attnlab list <figure>` shows every --set key of a figure with its type, default and preset values."""

from __future__ import annotations

import dataclasses

from attnlab.experiments.cli import main
from attnlab.experiments.figures import get_figure


def test_list_with_a_figure_shows_every_config_key_type_and_preset(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["list", "softmax_icl/lipschitz-ratio-vs-n"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("key"))
    assert header.split() == ["key", "type", "default", "tiny", "smoke", "medium", "paper"]
    for f in dataclasses.fields(get_figure("softmax_icl/lipschitz-ratio-vs-n").config_cls):
        assert any(line.split()[:1] == [f.name] for line in out.splitlines()), f.name
    assert "draws" in out and "150" in out  # the smoke preset's own value is shown


def test_list_with_an_unknown_figure_is_a_user_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["list", "no/such-figure"]) == 2
    assert "unknown figure selector" in capsys.readouterr().err
