"""The mutation harness plants real changes, selects the tests that import a module, and runs end to end."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_mutation_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(HERE))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(HERE))
    return module


operators = _load("operators")
imports = _load("imports")

SNIPPET = '''
"""Docstring: 1 + 2 is not mutated."""
import numpy as np


def g(A, x, b, axis=0):
    """Not this either."""
    if x.shape[0] != 3 and not b:
        raise ValueError(f"bad {x} {1 + 1}")
    y = -np.max(A.T @ x - b, axis=1)
    return np.sum(y, axis=axis) * 2.0 + np.dot(x, b)
'''


def test_every_operator_plants_a_change_that_parses_and_differs():
    mutants = operators.mutants_of(SNIPPET)
    ops = {m.operator for m in mutants}
    assert {"arith", "drop_right", "drop_left", "compare", "boolop", "not_drop", "const", "neg_drop",
            "transpose_drop", "axis", "minmax", "swap_args", "return_none"} <= ops
    original = ast.dump(ast.parse(SNIPPET))
    for m in mutants:
        assert ast.dump(ast.parse(m.apply(SNIPPET))) != original, m


def test_docstrings_raise_messages_and_fstrings_are_not_mutated():
    for m in operators.mutants_of(SNIPPET):
        assert m.line not in (2, 7, 9), m


def test_mutant_ids_are_unique_and_stable_when_unrelated_code_moves():
    first = [m.id for m in operators.mutants_of(SNIPPET)]
    moved = [m.id for m in operators.mutants_of("\n\nZ = 5\n" + SNIPPET)]
    assert len(set(first)) == len(first)
    assert set(first) <= set(moved)


def test_a_theory_module_is_seen_by_the_unit_test_that_imports_it():
    plain = imports.ImportGraph(REPO, discovery=False)
    seen = plain.imports_of_file(REPO / "tests/unit/test_softmax_regression.py")
    assert "attnlab.theory.softmax_icl.softmax_regression" in seen
    assert "attnlab.theory.tf_svm.attention_loss" not in seen


def test_discovery_makes_the_claim_registry_see_every_paper_module():
    full = imports.ImportGraph(REPO)
    seen = full.closure({"attnlab.proofs_checks.registry"})
    assert {"attnlab.proofs_checks.softmax_icl.lipschitz", "attnlab.theory.tf_svm.attention_loss"} <= seen


@pytest.mark.slow
def test_the_harness_runs_two_mutants_end_to_end_without_touching_the_worktree(tmp_path):
    target = REPO / "theory/softmax_icl/examples.py"
    before = target.read_text()
    cache, report = tmp_path / "cache.json", tmp_path / "REPORT.md"
    proc = subprocess.run(
        [sys.executable, str(HERE / "mutate.py"), "theory/softmax_icl/examples.py", "--limit", "2",
         "--timeout", "300", "--cache", str(cache), "--report", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert target.read_text() == before
    results = json.loads(cache.read_text())["theory/softmax_icl/examples.py"]["mutants"]
    assert len(results) == 2
    assert all(r["status"] in ("killed", "timeout", "survived") for r in results.values())
    assert "`theory/softmax_icl/examples.py` | 2/" in report.read_text()


def test_the_frozen_flag_of_a_dataclass_is_not_mutated_but_other_constants_of_the_class_are():
    src = "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass C:\n    a: int = 3\n    b = 0\n"
    mutants = operators.mutants_of(src)
    assert all(m.line != 4 for m in mutants)
    assert any(m.line == 7 and m.operator == "const" for m in mutants)


def test_a_cached_survivor_reruns_when_the_tests_change_unless_it_is_classified_equivalent():
    mutate = _load("mutate")
    survivor = {"status": "survived", "tests_hash": "old"}
    assert mutate._fresh(survivor, "old") and not mutate._fresh(survivor, "new")
    assert mutate._fresh(survivor, "new", equivalent=True)
    assert mutate._fresh({"status": "killed", "tests_hash": "old"}, "new")
    assert not mutate._fresh(None, "new", equivalent=True)


def test_a_mutant_stage_gets_three_times_its_unmutated_time_plus_slack_capped_by_the_timeout():
    mutate = _load("mutate")
    plan = mutate.Plan(rel="m.py", direct=["a", "b"], discovered=["c"], papers={"p": 3},
                       seconds={"a": 2.0, "b": 3.0, "discovered": 50.0})
    assert plan.stage_timeouts(300.0) == [3.0 * 5.0 + 20.0, 3.0 * 50.0 + 20.0]
    assert plan.stage_timeouts(100.0) == [35.0, 100.0]
    plan.seconds = {"a": 2.0}  # a stage not timed on the unmutated copy gets the whole timeout
    assert plan.stage_timeouts(300.0) == [300.0, 300.0]
