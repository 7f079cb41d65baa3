r"""Which tests can see a module: the static import graph of the attnlab layers and of the test files.

A test file *sees* a module when the module is in the closure of the test's ``attnlab`` imports. Three kinds
of edge are added beyond the literal ``import`` statements:

* a module imports its parent packages (their ``__init__`` runs first);
* ``from P import name`` where ``name`` is not a submodule depends on every submodule that ``P/__init__.py``
  imports or lists in a ``_LAZY`` dict (the lazy re-exports of ``attnlab.theory.tf_svm``);
* discovery: ``attnlab.proofs_checks.registry`` imports every module below ``proofs_checks/<paper>/``, and
  ``attnlab.experiments.figures`` every module below ``experiments/<paper>/``.

Over-selection only costs time; a missed edge would let a mutant survive that a test kills, so edges err on
the side of more.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["LAYERS", "module_name", "ImportGraph"]

LAYERS = ("theory", "proofs_checks", "experiments", "gpu", "paper_figs")
_DISCOVERY = {"attnlab.proofs_checks.registry": "proofs_checks", "attnlab.experiments.figures": "experiments"}


def module_name(repo: Path, path: Path) -> str:
    """``theory/tf_svm/attention_loss.py`` -> ``attnlab.theory.tf_svm.attention_loss``."""
    parts = list(path.relative_to(repo).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["attnlab", *parts])


def _raw_imports(path: Path, name: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """``(module, imported names)`` pairs; relative imports resolved against ``name``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((mod, [a.name for a in node.names]))
    return out


def _lazy_targets(path: Path) -> list[str]:
    """Values of a module-level ``_LAZY = {...}`` dict literal (submodule names)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets):
            if isinstance(node.value, ast.Dict):
                return [v.value for v in node.value.values if isinstance(v, ast.Constant)]
    return []


class ImportGraph:
    """Edges between ``attnlab`` modules, and the closure a file (module or test) imports."""

    def __init__(self, repo: Path, *, discovery: bool = True):
        self.repo = repo
        self.discovery = discovery
        self.files: dict[str, Path] = {}
        for layer in LAYERS:
            for p in sorted((repo / layer).rglob("*.py")):
                self.files[module_name(repo, p)] = p
        self.edges: dict[str, set[str]] = {m: self._deps(p, m) for m, p in self.files.items()}

    def _resolve(self, mod: str, names: list[str]) -> set[str]:
        out = set()
        if mod in self.files:
            out.add(mod)
            pkg_init = self.files[mod]
            if pkg_init.name == "__init__.py":
                lazy = {f"{mod}.{t}" for t in _lazy_targets(pkg_init)}
                for n in names:
                    sub = f"{mod}.{n}"
                    if sub in self.files:
                        out.add(sub)
                    else:
                        out |= {m for m in lazy if m in self.files}
        return out

    def _deps(self, path: Path, name: str) -> set[str]:
        deps = set()
        for mod, names in _raw_imports(path, name, path.name == "__init__.py"):
            if mod.startswith("attnlab"):
                deps |= self._resolve(mod, names)
        parts = name.split(".")
        deps |= {".".join(parts[:i]) for i in range(2, len(parts)) if ".".join(parts[:i]) in self.files}
        if self.discovery and name in _DISCOVERY:
            layer = _DISCOVERY[name]
            deps |= {m for m in self.files if m.startswith(f"attnlab.{layer}.") and m.count(".") >= 3}
        return deps

    def closure(self, start: set[str]) -> set[str]:
        seen, todo = set(), list(start)
        while todo:
            m = todo.pop()
            if m in seen or m not in self.files:
                continue
            seen.add(m)
            todo.extend(self.edges.get(m, ()))
        return seen

    def imports_of_file(self, path: Path) -> set[str]:
        """The ``attnlab`` modules a test file imports, closed under the graph."""
        direct = set()
        for mod, names in _raw_imports(path, "tests", False):
            if mod.startswith("attnlab"):
                direct |= self._resolve(mod, names)
        return self.closure(direct)

    def importers(self, module: str, layer: str) -> bool:
        """True when some module of ``layer`` sees ``module`` (e.g. a paper's claims see a theory module)."""
        return any(module in self.closure({m}) for m in self.files if m.startswith(f"attnlab.{layer}"))
