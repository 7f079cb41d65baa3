"""icl_boolean samplers: shapes, seeds, labels against the official +-1 formulas, teaching prefixes."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory.errors import UserError
from attnlab.theory.icl_boolean import TASKS, encode_prompt, sample_prompts, sample_task
from attnlab.theory.icl_boolean._bits import pack_pm1, unpack_bool, unpack_pm1
from attnlab.theory.icl_boolean.reference_loop import (
    conjunction_label,
    conjunction_prompts_loop,
    disjunction_label,
    teaching_rows_loop,
)

B, N, n = 3, 5, 7  # distinct sizes: a swapped axis fails


@pytest.mark.parametrize("task", TASKS)
def test_every_task_returns_pm1_arrays_of_shape_batch_points_dims(task):
    X, y = sample_prompts(task, n, N, B, seed=0)
    assert X.shape == (B, N, n) and y.shape == (B, N)
    assert set(np.unique(X)) <= {-1, 1} and set(np.unique(y)) <= {-1, 1}


@pytest.mark.parametrize("task", TASKS)
def test_the_same_seed_gives_the_same_prompts_and_another_seed_does_not(task):
    a = sample_prompts(task, 11, 13, 17, seed=4)
    b = sample_prompts(task, 11, 13, 17, seed=4)
    c = sample_prompts(task, 11, 13, 17, seed=5)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_packing_round_trips_pm1_arrays():
    rng = np.random.default_rng(0)
    X = np.where(rng.random((3, 5, 37)) < 0.5, 1, -1).astype(np.int8)
    assert np.array_equal(unpack_pm1(pack_pm1(X), 37), X)


def _weights(d):
    """The drawn functions as +-1/0 weight vectors (B, ..., n)."""
    pos = unpack_bool(d.params["pos"], d.n_dims)
    neg = unpack_bool(d.params["neg"], d.n_dims)
    return pos.astype(np.int64) - neg.astype(np.int64)


@pytest.mark.parametrize("task,rule", [("conjunction", conjunction_label), ("mono_conjunction", conjunction_label),
                                       ("disjunction", disjunction_label), ("sparse_disjunction", disjunction_label)])
def test_packed_labels_equal_the_official_sign_formula(task, rule):
    d = sample_task(task, n, 23, 29, seed=1)
    W, X = _weights(d), d.X
    ref = np.array([[rule(W[b], X[b, i]) for i in range(X.shape[1])] for b in range(X.shape[0])])
    assert np.array_equal(d.y, ref)


def test_dnf_and_cnf_labels_equal_or_and_of_the_sign_formulas():
    for task, rule, comb in (("dnf3", conjunction_label, max), ("cnf3", disjunction_label, min)):
        d = sample_task(task, n, 19, 23, seed=2)
        W, X = _weights(d), d.X
        ref = [[comb(rule(W[b, t], X[b, i]) for t in range(3)) for i in range(19)] for b in range(23)]
        assert np.array_equal(d.y, np.array(ref)), task


def test_threshold_majority_halfspace_and_parity_labels_equal_the_official_formulas():
    d = sample_task("threshold", n, 11, 13, seed=3)
    ref = np.sign(np.einsum("bij,bj->bi", d.X, _weights(d)) - d.params["b"][:, None])
    assert np.array_equal(d.y, ref)
    d = sample_task("int_halfspace", n, 11, 13, seed=3)
    assert np.array_equal(d.y, np.sign(np.einsum("bij,bj->bi", d.X, d.params["w"].astype(int)) - 0.5))
    d = sample_task("sparse_majority", n, 11, 13, seed=3)
    S = unpack_bool(d.params["S"], n).astype(int)
    assert np.array_equal(d.y, np.sign(np.einsum("bij,bj->bi", d.X, S) - 0.5))
    d = sample_task("majority", n, 11, 13, seed=3)
    w = unpack_pm1(d.params["w"], n).astype(int)
    assert np.array_equal(d.y, np.sign(np.einsum("bij,bj->bi", d.X, w) - 0.5))
    for task in ("parity", "sparse_parity"):
        d = sample_task(task, n, 11, 13, seed=3)
        S = unpack_bool(d.params["S"], n).astype(int)
        ref = (np.einsum("bij,bj->bi", (d.X + 1) // 2, S) % 2) * 2 - 1
        assert np.array_equal(d.y, ref), task


def test_sparse_tasks_draw_exactly_their_number_of_distinct_coordinates():
    for task, k in (("sparse_parity", 2), ("sparse_disjunction", 4)):
        d = sample_task(task, n, 3, 50, seed=0)
        key = "S" if task == "sparse_parity" else "pos"
        assert np.all(unpack_bool(d.params[key], n).sum(axis=1) == k)


def test_nearest_neighbour_labels_copy_the_earliest_nearest_earlier_point():
    d = sample_task("nearest_neighbour", 5, 17, 7, seed=0, start_idx=3)
    X = d.X.astype(int)
    for b in range(7):
        for i in range(3, 17):
            dist = [(X[b, j] != X[b, i]).sum() for j in range(i)]
            assert d.y[b, i] == d.y[b, int(np.argmin(dist))]


@pytest.mark.parametrize("task,kind", [("mono_conjunction_teach", "monotone"), ("conjunction_teach", "general"),
                                       ("dnf3_teach", "dnf")])
def test_teaching_prefixes_equal_the_per_example_construction(task, kind):
    d = sample_task(task, n, 40, 31, seed=6)
    W = _weights(d)
    for b in range(31):
        rows = np.array(teaching_rows_loop(W[b] if kind != "dnf" else list(W[b]), kind))
        L = min(len(rows), 40)
        assert d.teach_len[b] == len(rows)
        assert np.array_equal(d.X[b, :L], rows[:L])


def test_teaching_off_gives_the_same_functions_without_the_prefix():
    a = sample_task("conjunction_teach", n, 20, 9, seed=1)
    b = sample_task("conjunction_teach", n, 20, 9, seed=1, teaching=False)
    assert np.array_equal(a.params["pos"], b.params["pos"]) and b.teach_len is None
    assert not np.array_equal(a.xp, b.xp)


def test_the_per_example_conjunction_loop_labels_its_own_points_by_the_formula():
    X, y, W = conjunction_prompts_loop(n, 9, 11, seed=0)
    assert X.shape == (11, 9, n)
    assert all(y[b, i] == conjunction_label(W[b], X[b, i]) for b in range(11) for i in range(9))


def test_encoding_interleaves_x_tokens_and_zero_padded_label_tokens():
    X, y = sample_prompts("conjunction", n, N, B, seed=0)
    tok = encode_prompt(X, y)
    assert tok.shape == (B, 2 * N, n)
    assert np.array_equal(tok[:, 0::2], X) and np.array_equal(tok[:, 1::2, 0], y)
    assert not tok[:, 1::2, 1:].any()


@pytest.mark.parametrize("args", [("nope", 5, 3, 2), ("conjunction", 0, 3, 2), ("conjunction", 64, 3, 2),
                                  ("conjunction", 5, 0, 2), ("sparse_disjunction", 3, 4, 2)])
def test_bad_sampler_arguments_raise_a_user_error(args):
    with pytest.raises(UserError):
        sample_prompts(*args, seed=0)
