r"""Baselines with one call signature: ``predict(baseline, X, y, task=None, mode="clean") -> (B, N)``.

Position :math:`i` (0-based) predicts :math:`y_i` from :math:`(x_j, y_j)_{j<i}` and :math:`x_i` only; the
output is a real score whose sign is the label (0 = either label, see :mod:`.scoring`).

* ``null``: 0 (clean) or -1 (official, [src: baselines.py NullClassifier]).
* ``majority``: the majority label of the earlier examples (0 on a tie and at position 0); ours.
* ``averaging``: :math:`\hat w = \frac1i\sum_{j<i} y_j x_j`, prediction :math:`\langle x_i, \hat w\rangle`;
  position 0 predicts 0 (clean) or -1 (official) [src: baselines.py AveragingModel].
* ``knn1``, ``knn3``: mean label of the k nearest earlier points (Hamming = Euclidean order on
  :math:`\pm1`), ties in distance to the earliest index (the official ``torch.argsort`` is not stable, so its
  tie-break is not reproducible); position 0 predicts 0.
* ``elimination``: Valiant's literal elimination, the most specific consistent conjunction (start with
  all 2n literals, every positive example deletes the literals it falsifies; +1 iff all survivors hold).
  For disjunction tasks the dual (every negative example deletes the literals it satisfies; -1 iff every
  survivor fails); for monotone tasks only the n positive literals. Before the first informative example it
  predicts the default label (-1 for conjunctions, +1 for disjunctions).
* ``gauss_elim``: Gaussian elimination over GF(2) (:mod:`.gf2`).
* ``bayes``: the exact Bayes-optimal predictor by enumeration (:mod:`.bayes`); needs ``task``.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError, UnknownIdError
from attnlab.theory.icl_boolean._bits import check_dims, full_mask, pack_pm1, popcount
from attnlab.theory.icl_boolean.gf2 import gauss_elim_predict
from attnlab.theory.icl_boolean.scoring import check_mode
from attnlab.theory.icl_boolean.tasks import TASKS

__all__ = ["BASELINES", "predict", "predict_packed", "elimination_predict", "elimination_state", "ELIMINATION_FORM"]

BASELINES = ("null", "majority", "averaging", "knn1", "knn3", "elimination", "gauss_elim", "bayes")

#: the elimination learner used for each task it applies to
ELIMINATION_FORM = {
    "conjunction": "general", "conjunction_teach": "general", "mono_conjunction": "monotone",
    "mono_conjunction_teach": "monotone", "disjunction": "dual", "sparse_disjunction": "dual",
}


def _earlier_mask(N):
    return np.arange(N)[None, :] < np.arange(N)[:, None]  # [i, j] = j < i


def _hamming(xp):
    return popcount(xp[:, :, None] ^ xp[:, None, :])


def _averaging(xp, y, n, mode):
    B, N = xp.shape
    dots = n - 2 * _hamming(xp)  # <x_i, x_j>
    m = _earlier_mask(N)
    s = np.einsum("bij,bj->bi", np.where(m[None], dots, 0).astype(np.float64), y.astype(np.float64))
    cnt = np.maximum(np.arange(N), 1)
    out = s / cnt
    out[:, 0] = -1.0 if mode == "official" else 0.0
    return out


def _knn(xp, y, n, k):
    B, N = xp.shape
    key = _hamming(xp) * N + np.arange(N)[None, None, :]  # distance, then index: stable tie-break
    key = np.where(_earlier_mask(N)[None], key, np.iinfo(np.int64).max)
    order = np.argsort(key, axis=2, kind="stable")[:, :, :k]
    lab = np.take_along_axis(np.broadcast_to(y[:, None, :], (B, N, N)), order, axis=2).astype(np.float64)
    used = np.minimum(np.arange(N), k)
    valid = np.arange(k)[None, :] < used[:, None]  # (N, k)
    out = np.where(valid[None], lab, 0.0).sum(axis=2) / np.maximum(used, 1)
    out[:, 0] = 0.0
    return out


def elimination_state(xp: np.ndarray, y: np.ndarray, n: int, form: str = "general"):
    """Surviving literals *before* each position: ``keep_pos``, ``keep_neg`` of shape ``(B, N)`` (packed).

    ``general``/``monotone``: every positive example deletes the literals it falsifies; ``dual``: every
    negative example deletes the literals it satisfies. ``monotone`` never holds negated literals."""
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
        kn = np.where(upd, kn & (x if form == "dual" else ~x & full), kn)
    return keep_pos, keep_neg


def elimination_predict(xp: np.ndarray, y: np.ndarray, n: int, form: str = "general") -> np.ndarray:
    """Literal elimination (``general``, ``monotone``) or its dual for disjunctions (``dual``), ``(B, N)``."""
    kp, kn = elimination_state(xp, y, n, form)
    if form == "dual":  # the surviving disjunction is false on x iff no surviving literal is true on x
        false = ((xp & kp) == 0) & ((~xp & full_mask(n) & kn) == 0)
        return np.where(false, -1.0, 1.0)
    sat = ((xp & kp) == kp) & ((xp & kn) == 0)
    return np.where(sat, 1.0, -1.0)


def predict_packed(baseline: str, xp: np.ndarray, y: np.ndarray, n_dims: int, task: str | None = None,
                   mode: str = "clean", **options) -> np.ndarray:
    """:func:`predict` on packed points (what the experiments call)."""
    check_mode(mode)
    n = check_dims(n_dims)
    y = np.asarray(y)
    if baseline == "null":
        return np.full(y.shape, -1.0 if mode == "official" else 0.0)
    if baseline == "majority":
        c = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(y, axis=1)[:, :-1]], axis=1)
        return np.sign(c)
    if baseline == "averaging":
        return _averaging(xp, y, n, mode)
    if baseline in ("knn1", "knn3"):
        return _knn(xp, y, n, int(baseline[-1]))
    if baseline == "elimination":
        if task is not None and task not in ELIMINATION_FORM:
            raise InvalidInputError(f"elimination is defined for {sorted(ELIMINATION_FORM)}, not {task!r}")
        return elimination_predict(xp, y, n, ELIMINATION_FORM.get(task, "general"))
    if baseline == "gauss_elim":
        return gauss_elim_predict(xp, y, n)
    if baseline == "bayes":
        from attnlab.theory.icl_boolean.bayes import bayes_predict

        if task is None:
            raise InvalidInputError("the bayes baseline needs task= (its prior and input law)")
        return bayes_predict(task, xp, y, n, **options)
    raise UnknownIdError("baseline", baseline, list(BASELINES))


def predict(baseline: str, X, y, task: str | None = None, mode: str = "clean", **options) -> np.ndarray:
    r"""Public API: per-position predictions ``(B, N)`` of ``baseline`` on :math:`\pm1` prompts ``X (B, N, n)``,
    ``y (B, N)``. ``task`` selects the elimination form and the Bayes prior (one of ``TASKS``)."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise InvalidInputError(f"X must be (B, N, n) and y (B, N); got {X.shape} and {y.shape}")
    if task is not None and task not in TASKS:
        raise UnknownIdError("task", task, list(TASKS))
    return predict_packed(baseline, pack_pm1(X), y, X.shape[2], task, mode, **options)
