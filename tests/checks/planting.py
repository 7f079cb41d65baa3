"""Plant a bug in the package the way a wrong implementation would appear to the claims.

:func:`plant_everywhere` replaces a function in *every* loaded ``attnlab`` module that holds it, under whatever
name (``from x import f`` binds its own copy of the name), through ``monkeypatch`` so it is restored afterwards.
"""

from __future__ import annotations

import sys


def plant_everywhere(monkeypatch, original, replacement) -> int:
    """Swap ``replacement`` in for ``original`` in every loaded ``attnlab`` module; returns how many bindings."""
    swapped = 0
    for name, mod in list(sys.modules.items()):
        if name.startswith("attnlab") and mod is not None:
            for key, value in list(vars(mod).items()):
                if value is original:
                    monkeypatch.setattr(mod, key, replacement)
                    swapped += 1
    return swapped
