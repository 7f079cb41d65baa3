r"""Exact Bayes-optimal prediction by enumeration (spec 7.1, [derived]).

For a prompt prefix :math:`P_i = (x_1, y_1, \dots, x_{i-1}, y_{i-1}, x_i)` and the task's prior
:math:`\pi(h)` and input law :math:`p(x \mid h)` (:mod:`.hypotheses`),

.. math::
   P(y_i = +1 \mid P_i) = \frac{\sum_h \pi(h)\, \prod_{j<i} p(x_j\mid h)\,1[h(x_j) = y_j]\; p(x_i \mid h)\, 1[h(x_i) = +1]}
                               {\sum_h \pi(h)\, \prod_{j<i} p(x_j\mid h)\,1[h(x_j) = y_j]\; p(x_i \mid h)}.

The query's own likelihood matters: a forced point is more likely under hypotheses it satisfies. The
prediction is :math:`2P - 1` (0 on an exact tie, decided with ``TOL.probability_tie``); its sign maximises the
expected score in either scoring mode. ``parity`` uses Gaussian elimination (exactly Bayes under the uniform
prior over all subsets, :mod:`.gf2`); ``nearest_neighbour`` uses the generating rule itself (labels are a
function of the prefix from ``start_idx`` on; before it, only exact duplicates are determined).
Pass ``ignore_input_likelihood=True`` for the posterior that uses only prior x label consistency (spec 7.1's
"label-consistency only" variant).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean._bits import popcount
from attnlab.theory.icl_boolean.gf2 import gauss_elim_predict
from attnlab.theory.icl_boolean.hypotheses import hypothesis_class
from attnlab.theory.icl_boolean.tasks import NN_START_IDX

__all__ = ["bayes_predict", "bayes_posterior_plus"]

_CHUNK = 4_000_000  # prompts x hypotheses per block


def _nn_rule(xp, y, n, start_idx):
    B, N = xp.shape
    D = popcount(xp[:, :, None] ^ xp[:, None, :])
    earlier = np.arange(N)[None, :] < np.arange(N)[:, None]
    D = np.where(earlier[None], D, n + 1)
    nn = np.argmin(D, axis=2)
    lab = np.take_along_axis(y, nn, axis=1).astype(np.float64)
    determined = (np.arange(N)[None, :] >= start_idx) | (D.min(axis=2) == 0)
    out = np.where(determined, lab, 0.0)
    out[:, 0] = 0.0
    return out


def bayes_posterior_plus(task: str, xp: np.ndarray, y: np.ndarray, n: int, *,
                         ignore_input_likelihood: bool = False, teaching: bool = True) -> np.ndarray:
    """:math:`P(y_i = +1 \\mid P_i)` for every prompt and position, ``(B, N)`` (``teaching=False``: prompts of a
    ``*_teach`` task drawn without their prefix)."""
    hc = hypothesis_class(task, n, teaching)
    B, N = xp.shape
    out = np.empty((B, N))
    step = max(1, _CHUNK // hc.size)
    for s in range(0, B, step):
        out[s:s + step] = _posterior_block(hc, xp[s:s + step], y[s:s + step], ignore_input_likelihood)
    return out


def _posterior_block(hc, xp, y, ignore_lik):
    B, N = xp.shape
    logw = np.broadcast_to(hc.log_prior, (B, hc.size)).copy()
    out = np.empty((B, N))
    for i in range(N):
        x = xp[:, i]
        lab = hc.labels(x)  # (B, H)
        ll = None if ignore_lik else hc.log_lik(x)
        if hc.teach_rows is not None and not ignore_lik:
            in_prefix = i < hc.teach_len  # (H,)
            row = hc.teach_rows[:, i] if i < hc.teach_rows.shape[1] else np.zeros(hc.size, dtype=np.uint64)
            match = np.where(x[:, None] == row[None], 0.0, -np.inf)
            ll = np.where(in_prefix[None], match, ll)
        q = logw if ll is None else logw + ll
        mx = q.max(axis=1, keepdims=True)
        ok = np.isfinite(mx[:, 0])
        w = np.exp(q - np.where(np.isfinite(mx), mx, 0.0))
        tot = w.sum(axis=1)
        plus = (w * lab).sum(axis=1)
        out[:, i] = np.where(ok, plus / np.where(tot > 0, tot, 1.0), 0.5)
        consistent = lab == (y[:, i] > 0)[:, None]
        logw = np.where(consistent, q, -np.inf)
    return out


def bayes_predict(task: str, xp: np.ndarray, y: np.ndarray, n: int, *, start_idx: int = NN_START_IDX,
                  ignore_input_likelihood: bool = False, teaching: bool = True) -> np.ndarray:
    """Bayes-optimal per-position predictions ``(B, N)``: :math:`2P(y_i=+1 \\mid P_i) - 1`, exact ties 0."""
    if task == "nearest_neighbour":
        return _nn_rule(xp, np.asarray(y), n, start_idx)
    if task == "parity" and not ignore_input_likelihood:
        return gauss_elim_predict(xp, y, n)
    p = bayes_posterior_plus(task, xp, np.asarray(y), n, ignore_input_likelihood=ignore_input_likelihood,
                             teaching=teaching)
    pred = 2 * p - 1
    return np.where(np.abs(pred) <= TOL.probability_tie.allowance(1.0), 0.0, pred)
