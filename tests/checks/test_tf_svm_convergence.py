"""tf_svm convergence claims beyond the generic claim test: Assumption B as a checked hypothesis, the positive
families meet their hypotheses, L_W bounds the curvature, and how far L_W may be wrong before the GD check bites."""

from __future__ import annotations

import numpy as np
import pytest

import attnlab.proofs_checks.tf_svm.convergence_global as G
from attnlab.proofs_checks.record import Status
from attnlab.proofs_checks.registry import get_claim
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.theory.tf_svm.assumption_b import assumption_b_violations
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_svm import locally_optimal
from attnlab.theory.tf_svm.examples import equal_score_instance, local_optimum_instance, random_instance
from attnlab.theory.tf_svm.smoothness import lipschitz_w

SHAPES = ((2, 3, 5), (3, 5, 7), (2, 5, 7))


def _b_instance(shape, seed=0):
    Y = np.ones(shape[0])
    Y[0] = -1.0
    return equal_score_instance(*shape, seed, labels=Y)


def test_global_convergence_is_not_applicable_on_a_random_instance_and_names_assumption_b():
    inst = random_instance(2, 3, 5, seed=4, random_labels=True)
    rec = get_claim("tf_svm/global-convergence-equal-scores").check_instance(S.Drawn(inst, (0, 0), 1.0, 0))
    assert rec.status is Status.NOT_APPLICABLE
    assert all(r.startswith("Assumption B") for r in rec.reasons), rec.reasons


@pytest.mark.parametrize("shape", SHAPES)
def test_labelled_equal_score_instances_meet_assumption_b_and_a_perturbation_breaks_it(shape):
    inst = _b_instance(shape)
    assert assumption_b_violations(inst.X, inst.v, inst.Y) == []
    X = inst.X.copy()
    X[0, 1] += 1e-6 * inst.v  # one non-optimal score moves by 1e-6
    assert "non-optimal scores differ" in assumption_b_violations(X, inst.v, inst.Y)[0]


@pytest.mark.parametrize("shape", SHAPES)
def test_local_optimum_instance_has_a_locally_optimal_non_optimal_alpha(shape):
    inst = local_optimum_instance(*shape, seed=7, c=1.5)
    lo = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, np.ones(shape[0], dtype=int))
    assert lo.status == "locally-optimal"
    assert np.allclose(lo.svm.margins[:, 0], 1.5, rtol=1e-6)  # token 0 (optimal) sits at margin c: delta = c - 1


@pytest.mark.parametrize("shape", SHAPES)
def test_l_w_bounds_the_gradients_lipschitz_ratio_on_random_pairs(shape):
    inst = random_instance(*shape, seed=3, random_labels=True)
    LW = lipschitz_w(inst.X, inst.Z, inst.v, inst.Y)
    rng = np.random.default_rng(0)
    d = shape[2]
    for scale in (0.1, 1.0, 10.0):
        W1, W2 = scale * rng.normal(size=(2, d, d))
        g1, g2 = grad_w(inst.X, inst.Z, inst.v, inst.Y, np.stack([W1, W2]))[1]
        assert np.linalg.norm(g1 - g2) <= LW * np.linalg.norm(W1 - W2)


def test_global_convergence_check_fails_when_l_w_is_underestimated_ten_thousandfold(monkeypatch):
    # measured: L_W is ~10^3 above the curvature along GD's path, so the descent-lemma check holds at L_W / 10^3
    # and fails at L_W / 10^4 (the step then overshoots): it catches only gross errors in L_W
    orig = G.lipschitz_w
    monkeypatch.setattr(G, "lipschitz_w", lambda *a, **k: orig(*a, **k) * 1e-4)
    comp, diag = G._run(S.Drawn(_b_instance((2, 3, 5)), (0, 0), 0.5, 0), False)
    assert not comp.holds and diag["descent_lemma_violation"] > 1.0


@pytest.mark.parametrize("shape", SHAPES)
def test_every_matrix_in_the_mu_cone_selects_alpha_with_the_derived_margins(shape):
    # DERIVATIONS.md#cone-width: on 1 - corr <= mu every margin is >= ||W|| / (2N) and the risky tokens stay
    # >= ||W|| delta / (2N) behind the support tokens
    from attnlab.proofs_checks.tf_svm.convergence import _cone_starts, cone_constants
    from attnlab.theory.tf_svm.attention_model import selection_margins

    inst = local_optimum_instance(*shape, seed=11, c=2.0)
    alpha = np.ones(shape[0], dtype=int)
    lo = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, alpha)
    k = cone_constants(inst, lo)
    for W in _cone_starts(lo.svm.W, k["mu"], np.full(20, 3.0), seed=1):
        m = selection_margins(inst.X, inst.Z, W, alpha)
        r = np.linalg.norm(W)
        assert np.min(m) >= r / (2 * k["norm_wmm"])
        support_max = np.max(np.where(lo.svm.support, m, -np.inf), axis=1)
        assert np.all(m[:, 0] - support_max >= r * k["delta"] / (2 * k["norm_wmm"]))  # token 0 is the risky one


def test_local_cone_start_at_r0_converges_on_the_instance_that_escaped_an_r0_without_the_score_ratio():
    # budget 20 seed 0: with R0 = 10 N / min(1, delta) the boundary start at R0 = 68 escaped (rho = 18 on this instance)
    from attnlab.theory.tf_svm.examples import TfSvmInstance

    base = random_instance(2, 4, 3, seed=1)
    inst = TfSvmInstance(base.X, base.Z, base.v, np.array([-1.0, 1.0]), "escape-regression")
    rec = get_claim("tf_svm/local-convergence-cone").check_instance(S.Drawn(inst, (1, 0), 1.0, 1))
    assert rec.status is Status.EMPIRICAL_HOLDS, rec.to_dict()


def test_limit_claim_waits_for_a_run_that_escapes_a_transient_direction():
    # budget 100 seed 2: after 1500 NGD steps this run was still turning (1 - corr = 0.107, falling) toward a locally
    # optimal alpha, after 700 steps along another direction
    from attnlab.theory.tf_svm.examples import TfSvmInstance

    base = random_instance(2, 5, 7, seed=324)
    inst = TfSvmInstance(base.X, base.Z, base.v, np.array([-1.0, 1.0]), "transient-regression")
    rec = get_claim("tf_svm/convergence-limit-locally-optimal").check_instance(S.Drawn(inst, (0, 0), 1.0, 0))
    assert rec.status is Status.EMPIRICAL_HOLDS, rec.to_dict()
