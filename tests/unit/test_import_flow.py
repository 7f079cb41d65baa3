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


def _imported_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _imported_packages(path: Path) -> set[str]:
    """The layers a file imports, as ``attnlab.<layer>``."""
    return {m.split(".")[1] for m in _imported_modules(path) if m.startswith("attnlab.") and m.count(".") >= 1}


def _python_files():
    for layer in (*PACKAGES, "tests"):
        yield from (ROOT / layer).rglob("*.py")


def test_nothing_imports_a_bare_layer_name():
    bare = {str(p.relative_to(ROOT)): m for p in _python_files() for m in _imported_modules(p)
            if m.split(".")[0] in PACKAGES}
    assert not bare, f"import through attnlab.<layer>, not the bare folder name: {bare}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_the_layering_allows(package):
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imported_packages(p) - ALLOWED[package])
        for p in (ROOT / package).rglob("*.py")
        if _imported_packages(p) - ALLOWED[package]
    }
    assert not offenders, f"layering violated: {offenders}"


def test_no_hard_coded_cuda_calls():
    hits = [str(p.relative_to(ROOT)) for pkg in (*PACKAGES, "tests") for p in (ROOT / pkg).rglob("*.py")
            if ".cuda" + "()" in p.read_text()]  # split so this line is not a hit itself
    assert not hits


def _private_names_imported_from_other_modules(path: Path) -> list[str]:
    hits = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attnlab."):
            hits += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return hits


def test_no_package_module_imports_another_modules_private_names():
    offenders = {str(p.relative_to(ROOT)): hits for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                 if (hits := _private_names_imported_from_other_modules(p))}
    assert not offenders, f"make these public (drop the underscore) or keep them in their module: {offenders}"
