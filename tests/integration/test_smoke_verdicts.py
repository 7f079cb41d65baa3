"""At smoke scale every judged paper comparison comes out as the reference data expects: ``agree``, or an expected
``disagree`` listed there with its reason (a finding, or a scale too small to show the effect). Slow: it runs every
figure's smoke preset (minutes); the main job (`attnlab all --scale smoke`) reports the same verdicts."""

from __future__ import annotations

import pytest

from attnlab.experiments.executors import make_executor
from attnlab.experiments.figures import all_figures
from attnlab.experiments.reproduce import reproduce_figure
from attnlab.experiments.store import ResultStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("smoke") / "attnlab.sqlite"
    with ResultStore(path) as s:
        yield s


@pytest.mark.parametrize("figure", [f.id for f in all_figures()])
def test_smoke_verdicts_are_the_expected_ones(figure, store, tmp_path):
    rep = reproduce_figure(figure, "smoke", {}, store, make_executor("serial"), tmp_path)
    surprises = [(q["quantity"], q["verdict"], q["expected"]) for q in rep.comparisons
                 if q["agrees"] is not None and (q["verdict"] == "agree") != (q["expected"] == "agree")]
    assert not surprises, surprises
