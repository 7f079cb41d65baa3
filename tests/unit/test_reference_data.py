"""The paper's reference numbers are honest data: every band can fail, comes from the paper (never from our own
value), and a comparison that cannot be judged says why instead of giving a verdict."""

from __future__ import annotations

import re

import pytest

from attnlab.experiments.figures import all_figures
from attnlab.experiments.reference import Relation, figure_reference
from attnlab.experiments.verdict import compare
from attnlab.theory.provenance import Provenance

QUANTITIES = [(f.id, q) for f in all_figures() for q in figure_reference(f.id)["quantities"]]
OUR_OWN_RUN = re.compile(r"our (own )?(smoke )?(run|value)|attnlab smoke", re.I)


@pytest.mark.parametrize(("figure", "q"), QUANTITIES, ids=[f"{f}:{q['name']}" for f, q in QUANTITIES])
def test_every_judged_band_can_fail_and_cites_a_source_that_is_not_our_run(figure, q):
    assert q["relation"] in set(Relation) and q["provenance"] in set(Provenance)
    assert q.get("source"), "a reference number says where it was read or how it was derived"
    if not q.get("judged", True):
        assert q.get("why"), "a quantity shown without a verdict says why"
        return
    assert not OUR_OWN_RUN.search(q["source"]), "a band comes from the paper or a derivation, never our own value"
    if q["relation"] == "approx" and q["value"] != 0:
        assert q["tolerance"] < abs(q["value"]), "a band that reaches zero cannot fail on one side"


def test_a_quantity_shown_without_verdict_never_agrees_or_disagrees():
    row = compare({"x": 0.4}, [{"name": "x", "relation": "approx", "value": 0.31, "tolerance": 0.0,
                                "provenance": "src", "judged": False, "why": "other data draws"}])[0]
    assert row["agrees"] is None and row["verdict"] == "not judged: other data draws"


@pytest.mark.parametrize(("ours", "verdict"), [(0.30, "agree"), (0.50, "DISAGREE"), (None, "not computed")])
def test_judged_quantities_get_agree_disagree_or_not_computed(ours, verdict):
    row = compare({} if ours is None else {"x": ours},
                  [{"name": "x", "relation": "approx", "value": 0.31, "tolerance": 0.05, "provenance": "src"}])[0]
    assert row["verdict"] == verdict


@pytest.mark.parametrize(("figure", "q"), QUANTITIES, ids=[f"{f}:{q['name']}" for f, q in QUANTITIES])
def test_an_expected_disagreement_says_why(figure, q):
    for scale in ("smoke", "medium", "paper"):
        if f"expect_{scale}" in q:
            assert q[f"expect_{scale}"] in ("agree", "disagree") and q.get("expect_why"), q
