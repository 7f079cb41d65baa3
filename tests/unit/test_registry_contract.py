"""Every registered claim and figure keeps the contract that the CLI, CLAIMS.md and the report rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from attnlab.experiments.figures import all_figures
from attnlab.experiments.listing import _test_location
from attnlab.experiments.reference import figure_reference
from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.record import Kind
from attnlab.proofs_checks.registry import all_claims
from attnlab.theory.provenance import Provenance

PAPERS = all_papers()

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = all_claims()


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_has_metadata_a_negative_control_and_a_test_file(claim):
    assert claim.paper in PAPERS
    assert isinstance(claim.kind, Kind) and isinstance(claim.provenance, Provenance)
    assert claim.locator and claim.statement and claim.negative_description
    assert (ROOT / _test_location(claim)).exists(), f"{claim.id}: no test file {_test_location(claim)}"


def test_claim_ids_are_unique_and_namespaced():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    assert all(i.count("/") == 1 and i.split("/")[0] in PAPERS for i in ids)


@pytest.mark.parametrize("figure", all_figures(), ids=lambda f: f.id)
def test_figure_presets_validate_and_reference_quantities_are_summarized(figure):
    smoke, paper = figure.config_cls.smoke(), figure.config_cls.paper()
    assert smoke.to_dict() != paper.to_dict(), "smoke and paper presets should differ"
    assert figure.plot_fn() is not None
    assert figure_reference(figure.id)["quantities"], f"{figure.id} has no reference quantities"
