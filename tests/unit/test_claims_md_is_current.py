"""CLAIMS.md is generated from the registry; regenerate with `attnlab list --markdown > CLAIMS.md`."""

from __future__ import annotations

from pathlib import Path

from attnlab.experiments.listing import listing_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_claims_md_matches_the_registry():
    assert (ROOT / "CLAIMS.md").read_text() == listing_markdown(), (
        "CLAIMS.md is stale: run `attnlab list --markdown > CLAIMS.md`"
    )
