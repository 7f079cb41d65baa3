"""Imports flow one way: theory <- {proofs_checks, gpu} <- experiments; paper_figs imports only itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("theory", "proofs_checks", "gpu", "experiments", "paper_figs")
ALLOWED = {
    "theory": {"theory"},
    "proofs_checks": {"theory", "proofs_checks"},
    "gpu": {"theory", "gpu"},
    "experiments": {"theory", "proofs_checks", "gpu", "experiments", "paper_figs"},
    "paper_figs": {"paper_figs"},
}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_the_layering_allows(package):
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imported_packages(p) - ALLOWED[package])
        for p in (ROOT / package).rglob("*.py")
        if _imported_packages(p) - ALLOWED[package]
    }
    assert not offenders, f"layering violated: {offenders}"


def test_no_hard_coded_cuda_calls():
    hits = [str(p.relative_to(ROOT)) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
            if ".cuda" + "()" in p.read_text()]  # split so this line is not a hit itself
    assert not hits
