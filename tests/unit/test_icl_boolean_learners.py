"""icl_boolean learners: baselines against naive loops, GF(2) against brute force, Bayes against enumeration."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.errors import UserError
from attnlab.theory.icl_boolean import parity_optimal_curve, predict, sample_prompts, sample_task, score
from attnlab.theory.icl_boolean.bayes import bayes_posterior_plus
from attnlab.theory.icl_boolean.gf2 import gauss_elim_predict, in_span, rank_distribution

B, N, n = 5, 13, 7


def test_knn_and_averaging_equal_naive_per_position_loops():
    X, y = sample_prompts("conjunction", n, N, B, seed=3)
    Xf = X.astype(float)
    for k in (1, 3):
        p = predict(f"knn{k}", X, y)
        for b, i in itertools.product(range(B), range(1, N)):
            d = [((Xf[b, j] - Xf[b, i]) ** 2).sum() for j in range(i)]
            near = sorted(range(i), key=lambda j: (d[j], j))[:k]
            assert p[b, i] == pytest.approx(np.mean(y[b, near]))
    p = predict("averaging", X, y)
    for b, i in itertools.product(range(B), range(1, N)):
        w = (Xf[b, :i] * y[b, :i, None]).mean(axis=0)
        assert p[b, i] == pytest.approx(Xf[b, i] @ w)
    assert np.all(p[:, 0] == 0) and np.all(predict("averaging", X, y, mode="official")[:, 0] == -1)


def test_elimination_equals_a_naive_literal_set_loop():
    X, y = sample_prompts("conjunction", n, N, B, seed=4)
    p = predict("elimination", X, y, task="conjunction")
    for b in range(B):
        lits = {(j, s) for j in range(n) for s in (1, -1)}
        for i in range(N):
            pred = 1 if all(X[b, i, j] == s for j, s in lits) else -1
            assert p[b, i] == pred
            if y[b, i] == 1:
                lits = {(j, s) for j, s in lits if X[b, i, j] == s}


def test_null_predicts_zero_clean_and_minus_one_official():
    X, y = sample_prompts("disjunction", n, N, B, seed=0)
    assert np.all(predict("null", X, y) == 0)
    assert np.all(predict("null", X, y, mode="official") == -1)


def test_clean_scoring_counts_a_zero_as_half_and_official_as_wrong():
    pred, y = np.array([[0.0, 2.0, -1.0]]), np.array([[1, 1, 1]])
    assert score(pred, y).tolist() == [[0.5, 1.0, 0.0]]
    assert score(pred, y, mode="official").tolist() == [[0.0, 1.0, 0.0]]


def _parity(s, x):
    return 1 if sum(si for si, xi in zip(s, x, strict=True) if xi == 1) % 2 else -1


def _conj(w, x):
    k = sum(abs(a) for a in w)
    return 1 if sum(a * c for a, c in zip(w, x, strict=True)) - (k - 1) > 0 else -1


def test_gauss_elimination_agrees_with_brute_force_over_all_subsets():
    for nn in (3, 5):
        d = sample_task("parity", nn, 11, 7, seed=nn)
        X = d.X
        pred = gauss_elim_predict(d.xp, d.y, nn)
        for b, i in itertools.product(range(7), range(11)):
            votes = set()
            for s in itertools.product((0, 1), repeat=nn):
                if all(_parity(s, X[b, j]) == d.y[b, j] for j in range(i)):
                    votes.add(_parity(s, X[b, i]))
            assert pred[b, i] == (votes.pop() if len(votes) == 1 else 0)


def test_span_membership_matches_enumerated_spans():
    d = sample_task("parity", 4, 9, 5, seed=1)
    ins = in_span(d.xp, 4)
    for b in range(5):
        for i in range(9):
            span = {0}
            for j in range(i):
                span |= {v ^ int(d.xp[b, j]) for v in span}
            assert ins[b, i] == (int(d.xp[b, i]) in span)


def test_rank_chain_is_a_distribution_and_the_curve_reaches_one_after_full_rank():
    dist = rank_distribution(5, 30)
    assert all(sum(p) == 1 for p in dist)
    assert dist[0][0] == 1 and dist[3][4] == 0  # rank <= points seen
    curve = parity_optimal_curve(5, 60)
    assert curve[0] == pytest.approx(0.5 + 0.5 / 32) and curve[-1] == pytest.approx(1.0)
    assert np.all(np.diff(curve) >= 0)
    assert parity_optimal_curve(5, 3, "official")[0] == float(Fraction(1, 32))


def test_parity_bayes_by_enumeration_equals_gaussian_elimination():
    d = sample_task("parity", 5, 12, 17, seed=2)
    p = bayes_posterior_plus("parity", d.xp, d.y, 5)
    assert_close(2 * p - 1, gauss_elim_predict(d.xp, d.y, 5), TOL.probability_tie, "enumeration vs GF(2)")


def test_bayes_posterior_equals_brute_force_sum_over_conjunctions():
    nn = 3
    d = sample_task("conjunction", nn, 6, 4, seed=5)
    X = d.X
    p = bayes_posterior_plus("conjunction", d.xp, d.y, nn)
    for b, i in itertools.product(range(4), range(6)):
        num = den = 0.0
        for w in itertools.product((0, 1, -1), repeat=nn):
            k = sum(abs(a) for a in w)
            prior = np.prod([0.7 if a == 0 else 0.15 for a in w])
            if any(_conj(w, X[b, j]) != d.y[b, j] for j in range(i)):
                continue
            wt = prior * np.prod([0.7 + 0.3 * 2**k * (_conj(w, X[b, j]) == 1) for j in range(i + 1)])
            den += wt
            num += wt * (_conj(w, X[b, i]) == 1)
        assert p[b, i] == pytest.approx(num / den, rel=1e-9)


def test_bayes_needs_a_task_and_refuses_classes_too_large_to_enumerate():
    X, y = sample_prompts("conjunction", 12, 3, 2, seed=0)
    with pytest.raises(UserError):
        predict("bayes", X, y)
    with pytest.raises(UserError):
        predict("bayes", X, y, task="conjunction")
    with pytest.raises(UserError):
        predict("bayes", X, y, task="dnf3")
    with pytest.raises(UserError):
        predict("nope", X, y)


def test_dual_elimination_equals_a_naive_disjunction_literal_loop():
    X, y = sample_prompts("disjunction", n, N, B, seed=6)
    p = predict("elimination", X, y, task="disjunction")
    for b in range(B):
        lits = {(j, s) for j in range(n) for s in (1, -1)}  # literal (j, s) is true on x iff x_j == s
        for i in range(N):
            assert p[b, i] == (1 if any(X[b, i, j] == s for j, s in lits) else -1)
            if y[b, i] == -1:
                lits = {(j, s) for j, s in lits if X[b, i, j] != s}
