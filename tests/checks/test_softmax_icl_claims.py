"""softmax_icl claims beyond the generic test (tests/checks/test_every_claim.py): the required set, reproducible
records, and the paper-specific numbers."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks import registry
from attnlab.proofs_checks.record import Budget, Kind, Status
from attnlab.proofs_checks.softmax_icl.instances import DocumentPair, PointPair, SoftmaxInstance
from attnlab.theory.softmax_icl.examples import EXAMPLES

CLAIMS = registry.select_claims(["softmax_icl"])
IDS = [c.id for c in CLAIMS]
SMALL = Budget(instances=30, seed=0)
EX = EXAMPLES["softmax_icl"]


def test_the_issue_required_claims_are_registered():
    required = {
        "gradient-formula", "hessian-formula", "softmax-jacobian-norm", "lipschitz-x-tight", "lipschitz-a-tight",
        "lipschitz-x-paper-M", "lipschitz-a-paper-M", "linf-l1", "gd-displacement", "shift-invariance",
        "gd-step-from-zero-is-linear-attention", "gradient-symbolic", "hessian-symbolic", "paper-M-looseness",
    }
    assert {f"softmax_icl/{r}" for r in required} <= set(IDS)


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.kind is not Kind.SYMBOLIC], ids=lambda c: c.id)
def test_records_are_reproducible_for_the_same_seed(claim):
    a, b = claim.run(Budget(15, 3)), claim.run(Budget(15, 3))
    assert (a.status, a.lhs, a.rhs, a.instances_tried, a.worst_instance) == (
        b.status, b.lhs, b.rhs, b.instances_tried, b.worst_instance
    )


def test_tight_search_approaches_r_over_2():
    rec = registry.get_claim("softmax_icl/lipschitz-x-tight").run(SMALL)
    assert rec.status is Status.CERTIFIED
    assert rec.details["best_ratio_over_tight_ascent"] > 0.999


def test_paper_m_is_reported_as_vacuous_near_72_orders():
    rec = registry.get_claim("softmax_icl/paper-M-looseness").run(SMALL)
    pts = rec.details["points"]
    assert 72 < pts["n=200,R=4"]["log10_M_over_worst_ratio"] < 73


def _pair(name):
    a = EX[name].arrays
    return PointPair(a["A"], a["x"], a["y"], a["R"])


def test_norm_above_r_is_not_applicable_for_the_tight_x_bound():
    rec = registry.get_claim("softmax_icl/lipschitz-x-tight").check_instance(_pair("norm_above_R"))
    assert rec.status is Status.NOT_APPLICABLE
    assert any("||A||_2" in r for r in rec.reasons)


def test_small_r_is_not_applicable_for_the_literal_theorem():
    rec = registry.get_claim("softmax_icl/lipschitz-x-paper-M").check_instance(_pair("near_two_way_tie"))
    assert rec.status is Status.NOT_APPLICABLE
    assert any("R >= 4" in r for r in rec.reasons)


def test_literal_theorem_holds_on_the_paper_regime_example():
    rec = registry.get_claim("softmax_icl/lipschitz-x-paper-M").check_instance(_pair("paper_regime"))
    assert rec.status is Status.EMPIRICAL_HOLDS


def test_x_outside_the_ball_is_not_applicable_for_the_a_bound():
    a = EX["norm_above_R"].arrays
    inst = DocumentPair(a["A"], a["A"] * 1.01, a["x"] * 100, a["R"])
    rec = registry.get_claim("softmax_icl/lipschitz-a-tight").check_instance(inst)
    assert rec.status is Status.NOT_APPLICABLE


def test_nan_instance_is_not_applicable_not_a_crash():
    a = EX["nan_entry"].arrays
    rec = registry.get_claim("softmax_icl/gradient-formula").check_instance(
        SoftmaxInstance(a["A"], a["x"], a["b"], a["R"])
    )
    assert rec.status is Status.NOT_APPLICABLE


def test_near_tie_example_is_within_rounding_of_the_tight_bound():
    rec = registry.get_claim("softmax_icl/lipschitz-x-tight").check_instance(_pair("near_two_way_tie"))
    assert rec.status is Status.EMPIRICAL_HOLDS
    assert rec.details["tightness"] > 0.999


def test_issue_centred_scale_identical_rows_are_within_rounding_and_the_uncentred_form_still_fails():
    """Regression: a document with identical rows made the centred aggregate ~0, so a tolerance scaled by the
    centred keys flagged rounding noise (1e-14) as a counterexample at budget 200."""
    import numpy as np

    from attnlab.proofs_checks.softmax_icl.gd import _from_zero
    from attnlab.proofs_checks.softmax_icl.instances import GDInstance

    g = GDInstance(np.full((3, 5), 0.5163977794943223), np.zeros(5), np.full(3, 20.0), 8.0, 2.0)
    assert _from_zero(g, centred=True).holds
    assert not _from_zero(g, centred=False).holds


def test_issue_8_pairs_closer_than_float64_resolution_are_not_applicable_never_failed():
    # attnlab check softmax_icl --seed 3 once failed sublemma-chain on x, y differing by ~5e-15 in one coordinate
    rng = np.random.default_rng(3)
    A = rng.normal(size=(5, 3))
    A *= 4.5 / np.linalg.svd(A, compute_uv=False)[0]
    x = np.array([0.3, -0.2, 0.1])
    y = x + np.array([5e-15, 0.0, 0.0])
    for claim_id in ("softmax_icl/sublemma-chain", "softmax_icl/lipschitz-x-paper-M", "softmax_icl/lipschitz-x-tight"):
        rec = registry.get_claim(claim_id).check_instance(PointPair(A, x, y, 4.5))
        assert rec.status is Status.NOT_APPLICABLE, (claim_id, rec.to_dict())
        assert any("float64 resolution" in r for r in rec.reasons)
    far = registry.get_claim("softmax_icl/sublemma-chain").check_instance(PointPair(A, x, x + [1e-4, 0, 0], 4.5))
    assert far.status is Status.EMPIRICAL_HOLDS, far.to_dict()


def test_the_paper_m_bounds_are_reports_with_their_looseness():
    for name in ("lipschitz-x-paper-M", "lipschitz-a-paper-M", "sublemma-chain", "paper-M-looseness",
                 "closeness-paper-M"):
        claim = registry.get_claim(f"softmax_icl/{name}")
        assert claim.kind is Kind.REPORT, name
        rec = claim.run(SMALL)
        assert rec.status is not Status.FAILED and rec.details["looseness_log10"] > 10, (name, rec.details)


def test_closeness_uses_the_theory_targets_and_stays_within_half_the_logit_gap():
    from attnlab.proofs_checks.softmax_icl.closeness import shifts
    from attnlab.proofs_checks.softmax_icl.instances import ClosenessInstance
    from attnlab.theory.softmax_icl import softmax_regression as sr

    rng = np.random.default_rng(0)
    n, d, k = 5, 3, 2
    A, x, b = rng.standard_normal((n, d)), rng.standard_normal(d), rng.dirichlet(np.ones(n))
    W = [0.3 * rng.standard_normal(s) for s in ((d, k), (d, k), (d, d))]
    c = ClosenessInstance(A, x, b, 0.5, *W, 10.0)
    s, ids = shifts(c)
    assert all(i.holds for i in ids)
    assert np.allclose(s["bt"] - s["bh"], sr.f(s["A1"], x) - sr.f(A, s["x1"]), rtol=0, atol=1e-15)
    rec = registry.get_claim("softmax_icl/closeness-gd-vs-attention").check_instance(c)
    assert rec.status is Status.EMPIRICAL_HOLDS


def test_attention_layers_at_standard_initialisation_rarely_meet_the_001_hypothesis():
    rec = registry.get_claim("softmax_icl/attention-data-shift").run(Budget(40, 0))
    table = rec.details["fraction_meeting_linf_hypothesis"]
    assert table["R in [4, 8], weights 1/sqrt(d)"] < table["R in [4, 8], weights 0.001/sqrt(d)"]
    assert all(0.0 <= v <= 1.0 for v in table.values())


def test_the_certified_smoothness_bound_covers_the_searched_value_and_states_its_region():
    rec = registry.get_claim("softmax_icl/smoothness-constant-certified").run(SMALL)
    assert rec.status is Status.CERTIFIED
    upper = rec.details["certified_region"]["upper_bound_on_C_by_n"]
    assert 0.3081 < upper["2"] < 0.3083
    assert all("every b in the simplex" in r for r in rec.details["certified_region"]["covers"])


def test_strategies_draw_d_equal_one_and_n_up_to_64():
    from attnlab.proofs_checks.softmax_icl.strategies import SHAPES

    assert min(d for _, d in SHAPES) == 1 and max(n for n, _ in SHAPES) == 64 and max(d for _, d in SHAPES) == 16
