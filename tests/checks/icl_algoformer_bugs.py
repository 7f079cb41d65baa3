r"""Realistic bugs planted in ``theory/icl_boolean`` and ``theory/algoformer`` (and one in a claim's hypothesis
check, which only the positive-control families can catch), for the sensitivity tests.

Each :class:`PlantedBug` names a function of the package and a buggy replacement (a flipped sign, a dropped
term, an off-by-one, the query used as a key, ...). :func:`planted` swaps the replacement in for the original
in *every* loaded module that holds it (so a name imported with ``from ... import f`` is replaced too, as a
bug in the source would be), and restores them afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from planting import plant_everywhere


@dataclass(frozen=True)
class PlantedBug:
    name: str
    module: str  # where the function is defined
    attr: str
    make: Callable[[Callable], Callable]  # original -> buggy replacement
    paper: str
    first: str = ""  # the claim (name) expected to catch it, tried first to keep the test fast


@contextlib.contextmanager
def planted(bug: PlantedBug):
    """Replace ``bug.module.bug.attr`` everywhere it is bound (module globals under ``attnlab``), then restore it."""
    import importlib

    orig = getattr(importlib.import_module(bug.module), bug.attr)
    with pytest.MonkeyPatch.context() as mp:
        plant_everywhere(mp, orig, bug.make(orig))
        yield


# ----------------------------------------------------------------------------------------- algoformer
_AF = "attnlab.theory.algoformer"


def _gd_readout_sign(orig):
    def f(X, y, xq, eta, T):
        return -orig(X, y, xq, eta, T)  # the von Oswald slot holds -prediction; read without the flip
    return f


def _attention_unnormalised(orig):
    def f(H, h):
        if h.kind != "softmax" and h.scale is None:
            from dataclasses import replace
            h = replace(h, scale=1.0)  # sum over keys instead of the mean (eta instead of eta/n)
        return orig(H, h)
    return f


def _gd_reference_no_n(orig):
    def f(Z, Y, eta, T):
        n = np.asarray(Z).shape[-2]
        return orig(Z, Y, np.asarray(eta, float) * n, T)  # W + eta R^T Z, the 1/n dropped
    return f


def _newton_sms(orig):
    def f(S, alpha, T):
        S = np.asarray(S, float)
        M = np.asarray(alpha, float)[..., None, None] * np.broadcast_to(np.eye(S.shape[-1]), S.shape)
        out = [M]
        for _ in range(T):
            M = 2 * M - S @ M @ S
            out.append(M)
        return np.stack(out)
    return f


def _linear_attention_query_key(orig):
    def f(H, Q, K, V, n_context):
        N = np.shape(H)[-2]
        return orig(H, Q, K, V, min(n_context + 1, N))  # the query token is also a key
    return f


def _copy_shift_off_by_one(orig):
    def f(L, dst, src, N, k=1, kind="linear", beta=1.0, pos="pos"):
        return orig(L, dst, src, N, k + 1, kind, beta, pos)
    return f


def _newton_doubling_half(orig):
    def f(d, n, alpha):
        from attnlab.theory.algoformer.block import MLP, Block
        from attnlab.theory.algoformer.composition import AlgoFormer
        model = orig(d, n, alpha)
        mlp, head = model.loop.sublayers
        # doubling MLP keeps only the ReLU(m) branch: m + ReLU(m) (negative entries are not doubled)
        k = mlp.W1.shape[0] // 2
        return AlgoFormer(model.pre, Block((MLP(mlp.W1[:k], mlp.W2[:, :k]), head)), model.post)
    return f


def _inverse_leaky_slope(orig):
    def f(v, a):
        v = np.asarray(v, float)
        return np.maximum(v, 0.0) - a * np.maximum(-v, 0.0)  # slope a instead of 1/a
    return f


def _cg_steepest(orig):
    def f(S, b, T):
        S = np.asarray(S, float)
        b = np.asarray(b, float)
        w = np.zeros_like(b)
        out = [w]
        for _ in range(T):  # beta dropped: steepest descent with exact line search, not CG
            r = b - S @ w
            Sr = S @ r
            den = r @ Sr
            w = w + (r @ r / den if den > 0 else 0.0) * r
            out.append(w)
        return np.stack(out)
    return f


# ---------------------------------------------------------------------------------------- icl_boolean
_IB = "attnlab.theory.icl_boolean"


def _elimination_keeps_contradicted(orig):
    from attnlab.theory.icl_boolean._bits import full_mask

    def f(xp, y, n, form="general"):
        B, N = xp.shape
        full = full_mask(n)
        kp = np.full(B, full)
        kn = np.full(B, full if form != "monotone" else np.uint64(0))
        keep_pos = np.empty((B, N), dtype=np.uint64)
        keep_neg = np.empty((B, N), dtype=np.uint64)
        for i in range(N):
            keep_pos[:, i], keep_neg[:, i] = kp, kn
            x = xp[:, i]
            upd = y[:, i] < 0 if form == "dual" else y[:, i] > 0
            kp = np.where(upd, kp & (~x if form == "dual" else x), kp)
            # negated literals contradicted by the example are kept (their update dropped)
        return keep_pos, keep_neg
    return f


def _bayes_unnormalised(orig):
    from attnlab.theory.icl_boolean import bayes

    def f(hc, xp, y, ignore_lik):
        B, N = xp.shape
        logw = np.broadcast_to(hc.log_prior, (B, hc.size)).copy()
        out = np.empty((B, N))
        for i in range(N):
            x = xp[:, i]
            lab = hc.labels(x)
            ll = None if ignore_lik else hc.log_lik(x)
            if hc.teach_rows is not None and not ignore_lik:
                in_prefix = i < hc.teach_len
                row = hc.teach_rows[:, i] if i < hc.teach_rows.shape[1] else np.zeros(hc.size, dtype=np.uint64)
                ll = np.where(in_prefix[None], np.where(x[:, None] == row[None], 0.0, -np.inf), ll)
            q = logw if ll is None else logw + ll
            w = np.exp(q)
            out[:, i] = (w * lab).sum(axis=1)  # posterior mass of +1, never divided by the total
            logw = np.where(lab == (y[:, i] > 0)[:, None], q, -np.inf)
        return out
    del bayes
    return f


def _bayes_no_query_likelihood(orig):
    def f(hc, xp, y, ignore_lik):
        return orig(hc, xp, y, True)  # the query's (and every point's) input likelihood dropped
    return f


def _gauss_label_flipped(orig):
    def f(xp, y, n_dims):
        return -orig(xp, y, n_dims)
    return f


def _knn_sees_current(orig):
    from attnlab.theory.icl_boolean._bits import popcount

    def f(xp, y, n, k):
        B, N = xp.shape
        key = popcount(xp[:, :, None] ^ xp[:, None, :]) * N + np.arange(N)[None, None, :]
        m = np.arange(N)[None, :] <= np.arange(N)[:, None]  # off by one: j <= i, the query's own label
        key = np.where(m[None], key, np.iinfo(np.int64).max)
        order = np.argsort(key, axis=2, kind="stable")[:, :, :k]
        lab = np.take_along_axis(np.broadcast_to(y[:, None, :], (B, N, N)), order, axis=2).astype(np.float64)
        used = np.minimum(np.arange(N) + 1, k)
        valid = np.arange(k)[None, :] < used[:, None]
        return np.where(valid[None], lab, 0.0).sum(axis=2) / np.maximum(used, 1)
    return f


def _disjunction_forcing_satisfies(orig):
    def f(xp, forced, mask, value):
        return orig(xp, forced, mask, mask & ~value)  # forced points get the opposite polarity
    return f


def _nn_ties_latest(orig):
    from attnlab.theory.icl_boolean._bits import popcount

    def f(xp, n, start_idx, rng):
        B, N = xp.shape
        D = popcount(xp[:, :, None] ^ xp[:, None, :])
        D = np.where((np.arange(N)[None, :] < np.arange(N)[:, None])[None], D, n + 1)
        nn = N - 1 - np.argmin(D[:, :, ::-1], axis=2)
        dup = D.min(axis=2) == 0
        y = np.where(rng.random((B, N)) < 0.5, np.int8(1), np.int8(-1))
        rows = np.arange(B)
        for i in range(1, N):
            copy = dup[:, i] if i < start_idx else np.ones(B, dtype=bool)
            y[:, i] = np.where(copy, y[rows, nn[:, i]], y[:, i])
        return y
    return f


def _general_rows_second_positive_minus(orig):
    from attnlab.theory.icl_boolean._bits import full_mask

    def f(pos, neg, n_dims):
        rows, L = orig(pos, neg, n_dims)
        rows = rows.copy()
        rows[:, 1] = rows[:, 1] & ~(full_mask(n_dims) & ~(pos | neg))  # other coordinates -1, not +1
        return rows, L
    return f


def _rank_chain_off_by_one(orig):
    def f(n_dims, n_points, mode="clean"):
        return orig(n_dims, n_points + 1, mode)[1:]  # curve shifted by one position
    return f


def _averaging_without_labels(orig):
    def f(xp, y, n, mode):
        return orig(xp, np.ones_like(y), n, mode)  # w_hat = mean of x_j, the labels y_j dropped
    return f


def _chebyshev_plain_richardson(orig):
    def f(S, b, T, lam_lo, lam_hi):
        S = np.asarray(S, float)
        b = np.asarray(b, float)
        theta = (np.asarray(lam_hi) + np.asarray(lam_lo)) / 2.0
        w = np.zeros_like(b)
        out = [w]
        for _ in range(T):  # the three-term recurrence dropped: Richardson with step 1/theta
            w = w + (b - (S @ w[..., None])[..., 0]) / np.asarray(theta)[..., None]
            out.append(w)
        return np.stack(out)
    return f


def _moments_b_without_n(orig):
    def f(Z, Y):
        S_, b = orig(Z, Y)
        return S_, b * np.asarray(Z).shape[-2]  # b = Z^T Y, the 1/n dropped
    return f


def _parity_balance_without_empty_subset(orig):
    def f(task, n):
        return 0.5 if task == "parity" else orig(task, n)  # the empty subset's 2^-(n+1) term dropped
    return f


def _step_range_flipped(orig):
    def f(Z, frac, *arrays):
        return orig(Z, 1.5 - frac if 0 < frac < 1 else 0.5, *arrays)  # judged inside (0, 1) exactly when outside
    return f


BUGS = (
    PlantedBug("gd readout without the sign flip", f"{_AF}.gd_step", "gd_loop_predictions", _gd_readout_sign, "algoformer",
               "gd-loop-converges-below-threshold"),
    PlantedBug("attention sums over keys (eta instead of eta/n)", f"{_AF}.block", "_head_output", _attention_unnormalised, "algoformer",
               "gd-loop-equals-gd"),
    PlantedBug("GD reference without 1/n", f"{_AF}.baselines", "gd_iterates", _gd_reference_no_n, "algoformer",
               "gd-loop-equals-gd"),
    PlantedBug("Newton-Schulz reference 2M - SMS", f"{_AF}.baselines", "newton_schulz_iterates", _newton_sms, "algoformer",
               "newton-schulz-loop-equals-direct"),
    PlantedBug("linear_attention with the query as a key", f"{_AF}.block", "linear_attention", _linear_attention_query_key, "algoformer",
               "gd-loop-equals-gd"),
    PlantedBug("copy head shifted by k + 1", f"{_AF}.primitives", "copy_head", _copy_shift_off_by_one, "algoformer",
               "softmax-copy-error"),
    PlantedBug("Newton doubling MLP without the -ReLU(-m) branch", f"{_AF}.newton", "newton_algoformer", _newton_doubling_half, "algoformer",
               "newton-schulz-residual-squares"),
    PlantedBug("inverse leaky ReLU with slope a", f"{_AF}.primitives", "inverse_leaky_relu", _inverse_leaky_slope, "algoformer",
               "cot-algoformer-equals-gd"),
    PlantedBug("CG without the beta term (steepest descent)", f"{_AF}.baselines", "cg_iterates", _cg_steepest, "algoformer",
               "cg-dominates-gd-loop"),
    PlantedBug("elimination keeps contradicted negated literals", f"{_IB}.baselines", "elimination_state", _elimination_keeps_contradicted, "icl_boolean",
               "elimination-one-sided"),
    PlantedBug("Bayes posterior not normalised", f"{_IB}.bayes", "_posterior_block", _bayes_unnormalised, "icl_boolean",
               "bayes-posterior-exact"),
    PlantedBug("Bayes without the input likelihood", f"{_IB}.bayes", "_posterior_block", _bayes_no_query_likelihood, "icl_boolean",
               "bayes-posterior-exact"),
    PlantedBug("Gaussian elimination's label flipped", f"{_IB}.gf2", "gauss_elim_predict", _gauss_label_flipped, "icl_boolean",
               "gf2-determinacy"),
    PlantedBug("k-NN sees the query's own label", f"{_IB}.baselines", "_knn", _knn_sees_current, "icl_boolean",
               "baselines-follow-their-rules"),
    PlantedBug("forcing writes the opposite polarity", f"{_IB}.tasks", "_force", _disjunction_forcing_satisfies, "icl_boolean",
               "forced-fraction"),
    PlantedBug("nearest-neighbour ties to the latest point", f"{_IB}.tasks", "nearest_neighbour_labels", _nn_ties_latest, "icl_boolean",
               "nearest-neighbour-consistent"),
    PlantedBug("general teaching sequence's second positive with others -1", f"{_IB}.teaching", "general_rows", _general_rows_second_positive_minus, "icl_boolean",
               "teaching-prefix"),
    PlantedBug("parity optimal curve shifted by one position", f"{_IB}.gf2", "parity_optimal_curve", _rank_chain_off_by_one, "icl_boolean",
               "parity-rank-chain"),
    PlantedBug("moments: b = Z^T y without 1/n", f"{_AF}.baselines", "moments", _moments_b_without_n, "algoformer",
               "newton-schulz-loop-equals-direct"),
    PlantedBug("parity label balance without the empty subset's term", f"{_IB}.closed_forms", "p_plus",
               _parity_balance_without_empty_subset, "icl_boolean", "label-balance"),
    PlantedBug("hypothesis check with the step range flipped (every stable step judged not applicable)",
               "attnlab.proofs_checks.algoformer.loops", "stable_hypotheses", _step_range_flipped, "algoformer",
               "gd-loop-equals-gd"),
    PlantedBug("averaging baseline without the labels", f"{_IB}.baselines", "_averaging", _averaging_without_labels, "icl_boolean",
               "baselines-follow-their-rules"),
    PlantedBug("Chebyshev iteration without its three-term recurrence", f"{_AF}.baselines", "chebyshev_iterates",
               _chebyshev_plain_richardson, "algoformer", "chebyshev-is-chebyshev-polynomial"),
)
