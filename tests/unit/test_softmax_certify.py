"""Interval certificates of the softmax Lipschitz claims: rigorous endpoints, and records that say what they cover."""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import mp, mpf

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import get_claim
from attnlab.proofs_checks.softmax_icl import certify


def _exact_sides(A, x, y):
    """Both sides of the squared C6 sharp form at 300 bits (reference, not intervals)."""
    with mp.workprec(300):
        def sm(v):
            u = [sum(mpf(float(A[i, j])) * mpf(float(v[j])) for j in range(A.shape[1])) for i in range(A.shape[0])]
            e = [mp.exp(t) for t in u]
            return u, [t / sum(e) for t in e]
        (u, p), (w, q) = sm(x), sm(y)
        return sum((a - b) ** 2 for a, b in zip(p, q, strict=True)), sum((a - b) ** 2 for a, b in zip(u, w, strict=True)) / 4


def test_reported_endpoints_bound_the_true_sides_outward():
    rng = np.random.default_rng(0)
    A, x, y = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=5)
    cert = certify.certify_l2(A, x, A, y)
    lhs, rhs = _exact_sides(A, x, y)
    assert cert.ok and mpf(cert.lhs_hi) >= lhs and mpf(cert.rhs_lo) <= rhs


def test_a_false_inequality_is_never_certified():
    # planted bug: the right side's constant 1/20 instead of 1/2 (squared: 1/400), false on a generic instance
    rng = np.random.default_rng(1)
    A, x, y = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=5)
    wrong = certify._cert(lambda dv: sum((t * t for t in dv), certify.iv.mpf(0)),
                          lambda du: sum((t * t for t in du), certify.iv.mpf(0)) / 400,  # planted: 1/20 not 1/2
                          A, x, A, y, "")
    assert not wrong.ok


@pytest.mark.parametrize("claim_id, r_range", [("softmax_icl/lipschitz-x-tight", "R >= ||A||_2"),
                                               ("softmax_icl/lipschitz-a-tight", "R >= ||x||_2")])
def test_a_certified_record_states_its_region_and_counts_the_rest_as_empirical(claim_id, r_range):
    rec = get_claim(claim_id).run(Budget(instances=30, seed=0))
    assert rec.status == Status.CERTIFIED
    region, rest = rec.details["certified_region"], rec.details["empirical"]
    assert region["instances_certified"] == region["instances_attempted"] >= 1
    assert r_range in region["covers"] and "not every applicable instance" in region["which"]
    assert rest["instances"] == rec.instances_applicable - region["instances_certified"] > 0
