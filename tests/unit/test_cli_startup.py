"""``attnlab --help`` and ``attnlab list`` stay light: heavy libraries load only where used (issue 6, item 6).

Checked by the modules a fresh interpreter has loaded, never by timing (``attnlab bench cli/list`` times it).
"""

from __future__ import annotations

import json
import subprocess
import sys

from attnlab.experiments.figure_index import figure_index
from attnlab.experiments.figures import all_figures
from attnlab.theory._lazy import lazy_function, lazy_module

HEAVY = ("torch", "cvxpy", "matplotlib", "sympy", "scipy", "hypothesis", "numpy")

_PROBE = """
import json, sys
from attnlab.experiments.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if "." not in m)), file=sys.stderr)
"""


def _loaded_after(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=300,
                          env={"ATTNLAB_PROGRESS": "0", "PATH": "/usr/bin:/bin"})
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_help_and_importing_the_cli_load_no_heavy_library():
    for args in ((), ("--help",), ("check", "--help")):
        assert not _loaded_after(*args) & set(HEAVY), args


def test_list_loads_only_numpy_and_hypothesis_of_the_heavy_libraries():
    """Claims register on import (their strategies are Hypothesis objects); nothing else heavy is needed."""
    assert _loaded_after("list") & set(HEAVY) == {"numpy", "hypothesis"}


def test_the_figure_index_read_from_source_agrees_with_the_imported_figures():
    imported = [(f.id, f.paper, f.title, f.locator, f.plot, f.run.__module__) for f in all_figures()]
    assert [(f.id, f.paper, f.title, f.locator, f.plot, f.module) for f in figure_index()] == imported


def test_a_lazy_module_imports_on_first_attribute_access(tmp_path, monkeypatch):
    (tmp_path / "attnlab_lazy_probe.py").write_text("LOADED = True\ndef twice(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "attnlab_lazy_probe", raising=False)
    mod, twice = lazy_module("attnlab_lazy_probe"), lazy_function("attnlab_lazy_probe", "twice")
    assert "attnlab_lazy_probe" not in sys.modules
    assert twice(21) == 42 and twice.__name__ == "twice"
    assert mod.LOADED is True and "attnlab_lazy_probe" in sys.modules


def test_the_solver_statuses_written_out_to_avoid_importing_cvxpy_are_cvxpys():
    import cvxpy as cp

    from attnlab.theory.tf_svm import _margin_qp

    assert set(_margin_qp._STATUS) == {cp.OPTIMAL, cp.INFEASIBLE, cp.UNBOUNDED, cp.OPTIMAL_INACCURATE,
                                       cp.INFEASIBLE_INACCURATE, cp.UNBOUNDED_INACCURATE}
