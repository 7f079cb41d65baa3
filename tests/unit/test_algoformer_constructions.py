"""theory/algoformer: every construction equals its direct algorithm (float64, distinct sizes 3, 5, 7)."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.algoformer import (
    Block,
    Head,
    apply_block,
    cot,
    gd_weights,
    linear_attention,
    looped_forward,
    run_loop,
)
from attnlab.theory.algoformer import ar_process as ar
from attnlab.theory.algoformer import baselines as bl
from attnlab.theory.algoformer import gd_step as g
from attnlab.theory.algoformer import newton as nw
from attnlab.theory.algoformer import representation as rp
from attnlab.theory.algoformer.primitives import inverse_leaky_relu, leaky_relu
from attnlab.theory.errors import InvalidInputError


def _regression(rng, n=7, d=5, batch=()):
    X = rng.normal(size=(*batch, n, d))
    y = (X @ rng.normal(size=(*batch, d, 1)))[..., 0] if batch else X @ rng.normal(size=d)
    return X, y, rng.normal(size=(*batch, d))


def test_linear_attention_matches_the_formula_row_by_row(rng):
    N, D, nc = 7, 5, 3
    H, Q, K, V = rng.normal(size=(N, D)), rng.normal(size=(D, D)), rng.normal(size=(D, D)), rng.normal(size=(D, D))
    out = linear_attention(H, Q, K, V, nc)
    ref = np.array([H[j] + sum((V @ H[i]) * ((K @ H[i]) @ (Q @ H[j])) for i in range(nc)) / nc for j in range(N)])
    assert_close(out, ref, TOL.float64_exact, "linear attention")


def test_linear_attention_rejects_an_empty_key_set_mismatched_width_and_nan(rng):
    with pytest.raises(InvalidInputError):
        linear_attention(rng.normal(size=(5, 3)), np.eye(3), np.eye(3), np.eye(3), 0)
    with pytest.raises(InvalidInputError):
        linear_attention(rng.normal(size=(5, 3)), np.eye(7), np.eye(7), np.eye(7), 2)
    with pytest.raises(InvalidInputError):
        linear_attention(np.full((5, 3), np.nan), np.eye(3), np.eye(3), np.eye(3), 2)


def test_gd_weights_leave_minus_w_T_x_q_in_the_query_last_entry(rng):
    X, y, xq = _regression(rng, n=7, d=5)
    Q, K, V = gd_weights(5, 0.3)
    assert Q.shape == K.shape == V.shape == (6, 6)
    H = g.gd_tokens(X, y, xq)
    for _ in range(11):
        H = linear_attention(H, Q, K, V, 7)
    w = bl.gd_iterates(X, y, 0.3, 11)[-1]
    assert_close(H[7, 5], -w @ xq, TOL.float64_exact, "query slot")


def test_gd_loop_is_batched_over_leading_axes(rng):
    X, y, xq = _regression(rng, n=7, d=3, batch=(5,))
    batched = g.gd_loop_predictions(X, y, xq, 0.2, 13)
    single = np.stack([g.gd_loop_predictions(X[b], y[b], xq[b], 0.2, 13) for b in range(5)], axis=1)
    assert batched.shape == (14, 5)
    assert_close(batched, single, TOL.float64_exact, "batched loop")


def test_token_carries_w_on_every_token_and_the_readout_gives_w_T_x_q(rng):
    X, y, xq = _regression(rng, n=7, d=5)
    w_trace = g.bai_w_trace(X, y, xq, 0.25, 9)
    ref = bl.gd_iterates(X, y, 0.25, 9)
    assert w_trace.shape == (10, 8, 5)
    assert_close(w_trace, np.broadcast_to(ref[:, None, :], w_trace.shape), TOL.float64_exact, "w slots")
    out = g.bai_algoformer(5, 0.25, 7)(g.bai_tokens(X, y, xq), 9)
    assert_close(out[7, 5], ref[-1] @ xq, TOL.float64_exact, "readout")


def test_newton_schulz_loop_state_is_M_k_and_the_output_is_x_q_M_k_b(rng):
    X, y, xq = _regression(rng, n=11, d=3)
    S, b = bl.moments(X, y)
    alpha = 1.0 / np.trace(S)
    Ms = bl.newton_schulz_iterates(S, alpha, 7)
    assert_close(nw.newton_M_trace(X, y, xq, alpha, 7), Ms, TOL.float64_exact, "M_k")
    assert_close(nw.newton_predictions(X, y, xq, alpha, 7), (Ms @ b) @ xq, TOL.float64_exact, "prediction")


def test_representation_algoformer_equals_gd_on_phi(rng):
    d, D, n = 3, 5, 7
    Bs = [rng.normal(size=(D, d)), rng.normal(size=(D, D)) / 2]
    X = rng.normal(size=(n, d))
    y = rp.phi(X, Bs, 0.2) @ rng.normal(size=D)
    xq = rng.normal(size=d)
    pred = rp.representation_predictions(X, y, xq, Bs, 0.2, 0.1, 6)
    ref = bl.gd_iterates(rp.phi(X, Bs, 0.2), y, 0.1, 6) @ rp.phi(xq, Bs, 0.2)
    assert_close(pred, ref, TOL.float64_exact, "representation")


def test_linear_copy_is_exact_and_softmax_copy_error_shrinks_with_beta(rng):
    v = rng.normal(size=13)
    assert rp.copy_error(v, None) == 0.0
    errs = [rp.copy_error(v, beta) for beta in (4.0, 8.0, 16.0)]
    assert errs[0] > errs[1] > errs[2]


def test_ar_algoformer_equals_multi_output_gd_on_windows(rng):
    d, q, D, N = 3, 2, 5, 11
    Bs = [rng.normal(size=(D, q * d)) / 3]
    x = rng.normal(size=(N, d))
    Z = rp.phi(ar.ar_windows(x, q), Bs, 0.3)
    ctx = list(ar.ar_context(q, N))
    W = bl.gd_iterates(Z[ctx], x[[c + 1 for c in ctx]], 0.2, 7)
    assert W.shape == (8, d, D)
    assert_close(ar.ar_predictions(x, Bs, 0.3, q, 0.2, 7), W @ Z[-1], TOL.float64_exact, "AR(q)")


def test_cot_algoformer_predicts_sigma_of_the_gd_step(rng):
    d, L, n, ell, a = 3, 2, 7, 1, 0.3
    Ws = [rng.normal(size=(d, d)) for _ in range(L)]
    s = [rng.normal(size=(n + 1, d))]
    for W in Ws:
        s.append(leaky_relu(s[-1] @ W.T, a))
    s = np.stack(s, axis=1)
    pred = cot.cot_predictions(s[:n], s[n, :ell + 1], a, 0.1, 5)
    W_gd = bl.gd_iterates(s[:n, ell], inverse_leaky_relu(s[:n, ell + 1], a), 0.1, 5)
    assert_close(pred, leaky_relu(W_gd @ s[n, ell], a), TOL.float64_exact, "CoT")


def test_inverse_leaky_relu_inverts_on_both_branches(rng):
    u = rng.normal(size=(5, 3))
    assert_close(inverse_leaky_relu(leaky_relu(u, 0.3), 0.3), u, TOL.float64_exact, "inverse")


def test_looped_forward_with_injection_is_block_of_state_plus_input(rng):
    E = rng.normal(size=(5, 3))
    blk = Block(((Head(rng.normal(size=(3, 3)) / 5, np.eye(3), np.eye(3) / 5),),))
    Y = looped_forward(E, blk, 3)
    ref = apply_block(apply_block(apply_block(E, blk) + E, blk) + E, blk)
    assert_close(Y, ref, TOL.float64_exact, "injection")
    assert_close(run_loop(E, blk, 2), apply_block(apply_block(E, blk), blk), TOL.float64_exact, "tied")


def test_cg_is_exact_after_d_steps_and_chebyshev_converges(rng):
    X, y, _ = _regression(rng, n=11, d=5)
    S, b = bl.moments(X, y)
    w_star = np.linalg.solve(S, b)
    assert_close(bl.cg_iterates(S, b, 5)[-1], w_star, TOL.inequality, "CG")
    lo, hi = bl.eigen_range(S)
    assert_close(bl.chebyshev_iterates(S, b, 200, lo, hi)[-1], w_star, TOL.inequality, "Chebyshev")
    assert_close(bl.ridge(X, y, 0.0), w_star, TOL.inequality, "ridge 0")
    assert_close(bl.ols(X, y), w_star, TOL.inequality, "OLS")


@pytest.mark.parametrize("eta_lmax", [1.0, 1.9])
def test_spec_check_t6_gd_loop_limit_is_the_minimum_norm_predictor_when_n_below_d(rng, eta_lmax):
    X, y, xq = _regression(rng, n=10, d=20)
    eta = eta_lmax / np.linalg.eigvalsh(X.T @ X / 10)[-1]
    pred = g.gd_loop_predictions(X, y, xq, eta, 3000)[-1]
    assert_close(pred, bl.ols(X, y) @ xq, TOL.inequality, "limit vs pinv")


def test_spec_check_t6_gd_loop_diverges_just_above_the_threshold(rng):
    X, y, xq = _regression(rng, n=10, d=20)
    eta = 2.1 / np.linalg.eigvalsh(X.T @ X / 10)[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        pred = g.gd_loop_predictions(X, y, xq, eta, 5000)[-1]
    assert not np.isfinite(pred) or abs(pred) > 1e100  # |1 - 2.1|^5000 ~ 1e207


def test_spec_check_t3_twelve_newton_schulz_loops_give_ols(rng):
    X, y, xq = _regression(rng, n=40, d=6)
    S, _ = bl.moments(X, y)
    assert_close(nw.newton_predictions(X, y, xq, 1.0 / np.trace(S), 12)[-1], bl.ols(X, y) @ xq, TOL.inequality, "T3")
