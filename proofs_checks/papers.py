r"""Papers are found, not listed: each ``proofs_checks/<paper>/__init__.py`` declares one :class:`Paper`.

Discovery walks the sub-packages of :mod:`attnlab.proofs_checks`; a sub-package whose ``__init__`` defines
``PAPER`` is a paper. Its claims are every ``@claim`` / ``@empirical_claim`` in any module below that
package (all of them are imported, so a claims module cannot be left out), and its figures are every
module of ``attnlab.experiments.<paper>`` that defines ``FIGURE`` (see :mod:`attnlab.experiments.figures`).

A module that fails to import raises :class:`BrokenModuleError`, naming the module and the cause: a
broken claims module is never dropped silently.

Adding a paper::

    # proofs_checks/<key>/__init__.py
    from attnlab.proofs_checks.papers import Paper

    PAPER = Paper(key="<key>", title="...", arxiv="2304.13276", locator_base="arXiv:2304.13276v2")
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from types import ModuleType

__all__ = ["Paper", "BrokenModuleError", "all_papers", "get_paper", "import_modules_below"]


class BrokenModuleError(RuntimeError):
    """A module of a paper (claims, figure) failed to import; the message names it and the cause."""

    def __init__(self, module: str, cause: BaseException):
        self.module, self.cause = module, cause
        super().__init__(f"module {module} failed to import: {type(cause).__name__}: {cause}")


@dataclass(frozen=True, kw_only=True)
class Paper:
    """One paper: its key (the folder name in every layer), title, arXiv id and what locators cite.

    ``locator_base`` names the version that claim and figure locators refer to (for example
    ``arXiv:2304.13276v2``), so "Lemma 5.2" in a locator is unambiguous. ``spec`` is the path of the
    developers' spec, for maintainers; users are pointed at the paper itself.
    """

    key: str
    title: str
    arxiv: str
    locator_base: str
    spec: str = ""
    #: instances per claim in the default test tier (tests/checks/test_every_claim.py); small, so the
    #: whole registry runs in the CI budget. ``attnlab check`` uses its own ``--budget``.
    test_budget: int = 20

    def __post_init__(self):
        if not self.key.isidentifier() or self.key != self.key.lower():
            raise ValueError(f"paper key {self.key!r} must be a lower-case Python identifier (its folder name)")


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - re-raised with the module's name
        raise BrokenModuleError(name, exc) from exc


def import_modules_below(package: str) -> list[ModuleType]:
    """Import every module below ``package`` (depth first, sorted), raising :class:`BrokenModuleError`."""
    pkg = _import(package)
    mods = [pkg]
    for info in sorted(pkgutil.walk_packages(pkg.__path__, package + "."), key=lambda i: i.name):
        mods.append(_import(info.name))
    return mods


@cache
def all_papers() -> dict[str, Paper]:
    """Every declared paper by key, in key order."""
    import attnlab.proofs_checks as root

    papers: dict[str, Paper] = {}
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        mod = _import(f"attnlab.proofs_checks.{info.name}")
        paper = getattr(mod, "PAPER", None)
        if paper is None:
            continue
        if not isinstance(paper, Paper) or paper.key != info.name:
            raise BrokenModuleError(mod.__name__, TypeError(f"PAPER must be a Paper with key {info.name!r}"))
        papers[paper.key] = paper
    return papers


def get_paper(key: str) -> Paper:
    from attnlab.theory.errors import UnknownIdError

    papers = all_papers()
    if key not in papers:
        raise UnknownIdError("paper", key, sorted(papers))
    return papers[key]
