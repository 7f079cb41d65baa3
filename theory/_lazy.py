r"""Import a heavy dependency (sympy, scipy) on first use instead of when the importing module loads.

Discovery imports every claims module to register its claims, so ``attnlab list`` paid for every
module-level ``import sympy`` (about 0.4 s on an idle 2-core machine) although only the check bodies use
it. ``sp = lazy_module("sympy")`` binds a stand-in whose first attribute access imports the real module
(``sp.symbols(...)`` then costs the import once); ``minimize = lazy_function("scipy.optimize",
"minimize")`` does the same for one function. Module-level code that touches an attribute still imports
at once, so keep such uses inside functions (:func:`functools.cache` them if they build constants).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["lazy_module", "lazy_function"]


class _LazyModule:
    """Stands for module ``name``; any attribute access imports it (once; Python caches modules)."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def _load(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for ``import name`` that imports on first attribute access."""
    return _LazyModule(name)


def lazy_function(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for ``from module import name`` (a function) that imports on first call."""

    resolved: list[Callable[..., Any]] = []  # the real function, once imported (hot loops call this)

    def call(*args, **kwargs):
        if not resolved:
            resolved.append(getattr(importlib.import_module(module), name))
        return resolved[0](*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{module}.{name}``, imported on first call."
    return call
