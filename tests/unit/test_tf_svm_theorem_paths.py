"""The solvers and instance families behind the tf_svm theorem claims (factor path, cone path, prompt path,
sequential queries, all-support keys): each does what its docstring says on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.proofs_checks.tf_svm.prompt_families import all_support_instance
from attnlab.proofs_checks.tf_svm.sequential import Sequences, flatten_queries
from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_cone_path import loss_gap_to_selection, project_cone
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_kq_path import chain_rule_kq, kq_path_point
from attnlab.theory.tf_svm.attention_loss import get_loss
from attnlab.theory.tf_svm.attention_model import attention_probs, optimal_tokens, token_scores
from attnlab.theory.tf_svm.attention_svm import solve_prompt_svm
from attnlab.theory.tf_svm.examples import random_instance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cone_projection_lands_in_the_cone_and_is_nearer_than_any_sampled_cone_point(seed):
    rng = np.random.default_rng(seed)
    axis, W, mu = rng.normal(size=(3, 5)), rng.normal(size=(3, 5)), 0.1
    P = project_cone(W, axis, mu)
    assert correlation(P, axis) >= 1 - mu - TOL.float64_exact.allowance(1.0)
    assert is_close(project_cone(P, axis, mu), P, TOL.float64_exact)
    u = axis / np.linalg.norm(axis)
    for _ in range(200):  # random points of the cone: none is closer to W than P
        E = rng.normal(size=u.shape)
        E -= np.sum(E * u) * u
        tilt = rng.uniform(0, np.sqrt(1 - (1 - mu) ** 2) / (1 - mu))
        C = rng.uniform(0, 3) * (u + tilt * E / np.linalg.norm(E))
        assert np.linalg.norm(W - P) <= np.linalg.norm(W - C) + TOL.float64_exact.allowance(1.0)


def test_kq_chain_rule_matches_finite_differences_of_the_loss():
    inst = random_instance(2, 3, 5, 4, random_labels=True)
    rng = np.random.default_rng(0)
    K, Q = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    G = grad_w(inst.X, inst.Z, inst.v, inst.Y, K @ Q.T)[1]
    gK, gQ = chain_rule_kq(G, K, Q)
    E = rng.normal(size=K.shape)
    h = 1e-6

    def L(Kx, Qx):
        return grad_w(inst.X, inst.Z, inst.v, inst.Y, Kx @ Qx.T)[0]

    fd_K = (L(K + h * E, Q) - L(K - h * E, Q)) / (2 * h)
    fd_Q = (L(K, Q + h * E) - L(K, Q - h * E)) / (2 * h)
    assert is_close(np.sum(gK * E), fd_K, TOL.finite_difference)
    assert is_close(np.sum(gQ * E), fd_Q, TOL.finite_difference)


def test_kq_path_point_stays_in_the_factor_ball_and_rejects_a_width_above_d():
    inst = random_instance(2, 3, 5, 1)
    K, Q = kq_path_point(inst.X, inst.Z, inst.v, inst.Y, 3.0, 2, restarts=1, steps=20)
    assert K.shape == Q.shape == (5, 2)
    assert np.sum(K * K) + np.sum(Q * Q) <= 2 * 3.0 * (1 + TOL.float64_exact.rtol)
    with pytest.raises(InvalidInputError):
        kq_path_point(inst.X, inst.Z, inst.v, inst.Y, 3.0, 6)


def test_gap_to_a_selection_equals_the_naive_difference_at_moderate_w():
    inst = random_instance(2, 4, 3, 5, random_labels=True)
    W = np.random.default_rng(1).normal(size=(3, 3))
    gamma = token_scores(inst.X, inst.v, inst.Y)
    alpha = np.array([1, 2])
    s = attention_probs(inst.X, W, inst.Z)
    lo = get_loss("logistic")
    naive = np.mean(lo.value(np.sum(s * gamma, axis=1))) - np.mean(lo.value(gamma[np.arange(2), alpha]))
    assert is_close(loss_gap_to_selection(inst.X, inst.Z, W, gamma, alpha), naive, TOL.float64_exact)


@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (3, 2, 7, 5), (2, 4, 7, 6)])
def test_all_support_keys_make_every_prompt_constraint_active(shape):
    inst = all_support_instance(*shape, seed=3, equal_scores=True)
    opt, unique = optimal_tokens(inst.X, inst.v, inst.Y)
    sol = solve_prompt_svm(inst.keys, opt)
    assert unique.all() and sol.optimal
    assert sol.support[np.isfinite(sol.margins)].all()
    g = token_scores(inst.X, inst.v, inst.Y)
    rest = np.where(np.isfinite(sol.margins), g, np.nan)
    assert np.all(np.nanmax(rest, axis=1) - np.nanmin(rest, axis=1) <= TOL.inequality.allowance(1.0))


def test_flattened_queries_put_token_k_of_sequence_i_at_row_i_t_plus_k():
    rng = np.random.default_rng(0)
    seq = Sequences(rng.normal(size=(2, 3, 7)), rng.normal(size=7), np.ones((2, 3)), 0)
    inst = flatten_queries(seq)
    assert inst.X.shape == (6, 3, 7) and inst.Z.shape == (6, 7)
    assert np.array_equal(inst.Z[1 * 3 + 2], seq.X[1, 2]) and np.array_equal(inst.X[1 * 3 + 2], seq.X[1])
    first = flatten_queries(seq, query_index=0)
    assert np.array_equal(first.Z[4], seq.X[1, 0])


# ---------------------------------------------------------------- the recorded findings stay true (regressions)


def test_all_support_alone_lets_ngd_select_another_locally_optimal_token_set():
    """DERIVATIONS.md#mmts-global-condition: unequal scores, every constraint active, NGD goes to (1, 0) not opt."""
    from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_p

    inst = all_support_instance(2, 4, 7, 6, seed=3)
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    p0 = 0.1 * np.random.default_rng(3).normal(size=6)
    res = run_gd_p(inst.keys, inst.X, inst.v, inst.Y, p0, GdConfig(steps=1500, eta=0.1))
    selected = np.argmax(np.einsum("ntd,d->nt", inst.keys, res.W), axis=1)
    assert selected.tolist() == [1, 0] and opt.tolist() == [0, 0]
    assert 1 - correlation(res.W, solve_prompt_svm(inst.keys, selected).W) <= TOL.direction.allowance(1.0)


def test_equal_rate_joint_ngd_ends_off_p_relax_where_a_ten_times_faster_head_reaches_it():
    """mmts_joint's rate finding on 12 positive-family draws: equal steps leave p off p^relax, 10x faster v is 3x
    closer or better."""
    from attnlab.proofs_checks.tf_svm import mmts_joint as J
    from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_vp

    found = []

    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=12, database=None, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(J.strict_relax_draws())
    def collect(jd):
        found.append(jd)

    collect()
    gaps, worst_draw = {}, {}
    for speed in (1.0, 10.0):
        worst = 0.0
        for jd in found:
            _, _, pr = J._svms(jd)  # noqa: SLF001 (the claim's own SVM pair)
            rng = np.random.default_rng(jd.seed)
            d = jd.X.shape[2]
            res = run_gd_vp(jd.X, speed * jd.X, jd.Y, rng.normal(size=d), rng.normal(size=d),
                            GdConfig(steps=1500, eta=0.1))
            gap = 1 - correlation(res.W, pr.W)
            if gap > worst:
                worst, worst_draw[speed] = gap, (jd.X.shape, jd.seed)
        gaps[speed] = worst
    # equal rates end off p^relax; 10x is better by far but not always inside TOL.direction (recorded in mmts_joint)
    assert gaps[1.0] > TOL.direction.allowance(1.0), gaps
    assert gaps[1.0] > 3 * gaps[10.0], (gaps, worst_draw)


def test_causal_groups_let_query_k_see_tokens_one_to_k_and_the_unmasked_ones_see_all():
    from attnlab.theory.tf_svm.causal_attention import causal_groups

    rng = np.random.default_rng(0)
    X, v, Y = rng.normal(size=(2, 4, 5)), rng.normal(size=5), np.ones((2, 4))
    groups = causal_groups(X, v, Y)
    assert [g.X.shape[1] for g in groups] == [2, 3, 4]
    assert np.array_equal(groups[1].Z, X[:, 2]) and np.array_equal(groups[1].X, X[:, :3])
    assert [g.X.shape[1] for g in causal_groups(X, v, Y, causal=False)] == [4, 4, 4]
    with pytest.raises(InvalidInputError):
        causal_groups(X, v, np.ones((2, 3)))
