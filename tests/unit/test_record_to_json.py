"""Records as JSON (``attnlab.proofs_checks.record``): every value a claim puts in its record comes out as a plain
JSON value (non-finite floats as strings, numpy scalars and arrays as Python numbers and lists, enums as their
values), and the budget refuses an empty search."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from attnlab.proofs_checks.record import Budget, ClaimCheck, Comparison, Kind, Status, jsonable
from attnlab.theory.errors import InvalidInputError


def _record(status=Status.FAILED, **kw):
    return ClaimCheck(claim_id="p/c", paper="p", locator="unverified: x", status=status, lhs=1.5, rhs=1.0,
                      slack=-0.5, tolerance={"rtol": 0.0}, instances_tried=3, instances_applicable=2,
                      worst_instance={"A": np.arange(6.0).reshape(2, 3)}, seed=7, wall_time_s=0.25, **kw)


def test_numpy_values_become_plain_python_numbers_and_lists():
    out = jsonable({"a": np.arange(3, dtype=np.int64), "b": np.float64(0.5), "c": np.int32(-4),
                    "d": (np.float32(2.0), [np.eye(2)[0]])})
    assert out == {"a": [0, 1, 2], "b": 0.5, "c": -4, "d": [2.0, [[1.0, 0.0]]]}
    assert type(out["c"]) is int and type(out["b"]) is float and type(out["a"][0]) is int


def test_non_finite_floats_become_strings_so_the_file_stays_strict_json():
    out = jsonable([math.inf, -np.inf, np.float64(np.nan), 1e308])
    assert out == ["inf", "-inf", "nan", 1e308]
    json.dumps(out, allow_nan=False)


def test_enums_dict_keys_and_dataclasses_are_converted():
    assert jsonable({Status.FAILED: Kind.REPORT, 3: None}) == {"failed": "report", "3": None}
    assert jsonable(Comparison(1.0, np.float64(2.0), math.inf)) == {"lhs": 1.0, "rhs": 2.0, "allowance": "inf"}


def test_a_claim_record_round_trips_through_strict_json_and_knows_whether_it_failed():
    rec = _record(details={"ratio": np.float64(np.inf)}, kind="report")
    d = json.loads(json.dumps(rec.to_dict(), allow_nan=False))
    assert d["status"] == "failed" and d["worst_instance"] == {"A": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]}
    assert d["details"] == {"ratio": "inf"} and d["kind"] == "report" and d["seed"] == 7
    assert rec.failed and not _record(Status.EMPIRICAL_HOLDS).failed and not _record(Status.INCONCLUSIVE).failed


def test_a_budget_needs_at_least_one_instance():
    assert Budget(1).instances == 1 and Budget().seed == 0
    with pytest.raises(InvalidInputError):
        Budget(0)


def test_a_record_built_without_the_cap_fields_says_nothing_was_capped():
    rec = _record()  # as read back from a claims file written before the fields existed
    assert rec.evaluation_cap is None and rec.instances_capped == 0 and rec.kind == "" and rec.budget is None
