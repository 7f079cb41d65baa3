"""Locators a user can follow: the paper's own place, or a derivation in ``proofs_checks/<paper>/DERIVATIONS.md``.

Users do not have the developers' spec, so no locator may point at it; a locator that names a derivation must name
an anchor that exists, and the section behind that anchor must be about that claim.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attnlab.experiments.figures import all_figures
from attnlab.experiments.reference import load_reference
from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.registry import all_claims
from attnlab.theory.provenance import Provenance

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = all_claims()
FIGURES = all_figures()
PAPERS = all_papers()

_SPEC = re.compile(r"\bspec\b", re.IGNORECASE)
_DOC = re.compile(r"proofs_checks/(\w+)/DERIVATIONS\.md")
_ANCHOR = re.compile(r"#([a-z0-9][a-z0-9-]*)")
_ID = re.compile(r'<a id="([a-z0-9-]+)"></a>')


def _sections(paper: str) -> dict[str, str]:
    """Anchor -> the text of its section (up to the next anchor) in ``proofs_checks/<paper>/DERIVATIONS.md``."""
    path = ROOT / "proofs_checks" / paper / "DERIVATIONS.md"
    if not path.exists():
        return {}
    text = path.read_text()
    marks = list(_ID.finditer(text))
    return {m.group(1): text[m.end(): nxt.start() if nxt else len(text)]
            for m, nxt in zip(marks, marks[1:] + [None], strict=True)}


def _named_anchors(locator: str) -> list[tuple[str, str]]:
    """(paper, anchor) for every ``#anchor`` in a locator that names a DERIVATIONS.md (of exactly one paper)."""
    docs = set(_DOC.findall(locator))
    if not docs:
        return []
    assert len(docs) == 1, f"locator names several DERIVATIONS.md files: {locator!r}"
    paper = docs.pop()
    return [(paper, a) for a in _ANCHOR.findall(locator)]


def _all_locators() -> list[tuple[str, str]]:
    out = [(f"claim {c.id}", c.locator) for c in CLAIMS]
    out += [(f"figure {f.id}", f.locator) for f in FIGURES]
    for key in PAPERS:
        out.append((f"paper {key} locator_base", PAPERS[key].locator_base))
        for fig_id, fig in load_reference(key)["figures"].items():
            out.append((f"reference {fig_id}", fig.get("locator", "")))
    return out


LOCATORS = _all_locators()


@pytest.mark.parametrize(("what", "locator"), LOCATORS, ids=[w for w, _ in LOCATORS])
def test_every_locator_is_non_empty_and_never_cites_the_developers_spec(what, locator):
    assert locator.strip(), f"{what}: empty locator"
    assert not _SPEC.search(locator), f"{what}: locator cites the developers' spec, which users do not have: {locator!r}"


@pytest.mark.parametrize(("what", "locator"), LOCATORS, ids=[w for w, _ in LOCATORS])
def test_every_derivation_anchor_a_locator_names_exists(what, locator):
    for paper, anchor in _named_anchors(locator):
        assert anchor in _sections(paper), f"{what}: no anchor #{anchor} in proofs_checks/{paper}/DERIVATIONS.md"


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.provenance is Provenance.DERIVED], ids=lambda c: c.id)
def test_every_derived_claim_points_at_its_own_section_of_the_derivations(claim):
    named = _named_anchors(claim.locator)
    assert named, f"{claim.id}: a derived claim must cite proofs_checks/<paper>/DERIVATIONS.md#<anchor>"
    paper, anchor = named[0]
    assert paper == claim.paper, f"{claim.id}: cites the derivations of another paper ({paper})"
    assert f"`{claim.id}`" in _sections(paper).get(anchor, ""), (
        f"{claim.id}: section #{anchor} of proofs_checks/{paper}/DERIVATIONS.md does not name this claim"
    )


def test_anchors_are_unique_within_each_derivations_file():
    for key in PAPERS:
        path = ROOT / "proofs_checks" / key / "DERIVATIONS.md"
        if path.exists():
            ids = _ID.findall(path.read_text())
            assert len(ids) == len(set(ids)), f"{path}: duplicate anchors"


def test_the_anchor_check_rejects_a_missing_anchor_and_accepts_a_present_one():
    assert ("softmax_icl", "gradient") in _named_anchors("derived: proofs_checks/softmax_icl/DERIVATIONS.md#gradient")
    assert "no-such-section" not in _sections("softmax_icl")
    assert "gradient" in _sections("softmax_icl")
    assert _SPEC.search("derived (attnlab); spec C3") and not _SPEC.search("a specific perspective")
