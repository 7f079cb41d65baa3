"""Progress on a redirected stderr is plain lines, one per finished item, with no escape codes (issue 8, item 8)."""

from __future__ import annotations

import io

from attnlab.experiments.progress import INNER_INTERVAL_S, PlainProgress, progress


def test_a_redirected_stream_gets_one_plain_line_per_item_naming_it():
    stream = io.StringIO()
    items = list(PlainProgress(["a", "b", "c"], desc="claims", stream=stream, label=str.upper))
    lines = stream.getvalue().splitlines()
    assert items == ["a", "b", "c"] and len(lines) == 3
    assert lines[0].startswith("claims: 1/3 A, ") and lines[-1].startswith("claims: 3/3 C, ")
    assert "\x1b" not in stream.getvalue() and "\r" not in stream.getvalue()


def test_an_inner_loop_writes_at_most_one_line_per_interval_and_the_last():
    stream = io.StringIO()
    bar = PlainProgress(total=1000, desc="train", stream=stream, min_interval_s=INNER_INTERVAL_S)
    for _ in range(1000):
        bar.update(1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("train: 1000/1000")


def test_off_a_terminal_progress_is_plain_and_silenced_by_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("ATTNLAB_PROGRESS", "1")
    assert isinstance(progress([1], desc="x"), PlainProgress)  # pytest's captured stderr is not a terminal
    monkeypatch.setenv("ATTNLAB_PROGRESS", "0")
    list(progress([1, 2], desc="x"))
    assert capsys.readouterr().err == ""
