r"""Vectorised, seeded samplers with the official sampling law of every task (spec 2.8, [src: bool_tasks.py]).

A prompt is :math:`(x_1, y_1, \dots, x_N, y_N)` with a fresh function per prompt. Laws (p = probability):

====================== ===================================================== ===========================================
task (official name)   function                                              inputs (uniform, then forced points)
====================== ===================================================== ===========================================
conjunction            each coordinate absent .7, :math:`x_j` .15, :math:`\bar x_j` .15   w.p. .3 per point the literals are satisfied
disjunction            same literal law                                      w.p. .3 per point the literals are falsified
sparse_disjunction     4 distinct coordinates, positive literals              w.p. .3 per point those 4 set to -1
dnf3 (dnf)             3 terms, each coordinate absent .8, :math:`\pm` .1     one term per prompt; w.p. .35 per point it is satisfied
cnf3 (cnf)             3 clauses, same law                                    one clause per prompt; w.p. .3 per point it is falsified
sparse_majority        S: each coordinate w.p. .3 (official ``majority``)     uniform
majority               :math:`w \in \{\pm1\}^n` uniform (official ``full_majority``, LLM file)   uniform
threshold              w as conjunction, b uniform on {-2.5..2.5} (``sparse_thres``)  uniform
int_halfspace          :math:`w_j` uniform on {-3..3}                        uniform
sparse_parity          2 distinct coordinates                                uniform
parity                 S uniform over all :math:`2^n` subsets                uniform
nearest_neighbour      first ``start_idx`` labels uniform (exact duplicates copy); later points copy the label of the
                       nearest earlier point (Hamming, ties to the earliest) (official ``nearest_neighbours``)
mono_conjunction       each coordinate a positive literal w.p. .3            w.p. .3 per point satisfied (LLM file, n > 7)
mono_conjunction_teach monotone, p .3 (official ``teach_conjunction``)        forced w.p. .4, then the k+1 teaching rows
conjunction_teach      conjunction law (official ``teach_biconjunction``)     forced w.p. .4, then the k+2 teaching rows
dnf3_teach             3 monotone terms, p .2 (official ``teach_dnf``)        one term forced w.p. .35, then all 3 sequences
====================== ===================================================== ===========================================

Choices where the official code cannot be followed: it has no seeds (we take a seed); ``parity`` draws a
subset by enumerating all :math:`2^n` subsets (we draw each coordinate with probability 1/2: the same law);
``nearest_neighbour`` uses float32 cosine similarity rounded to 7 decimals (we use the exact Hamming distance:
the same order on :math:`\pm1` vectors); teaching prefixes longer than the prompt are cut to it (the official
code fails). ``teaching=False`` draws a ``*_teach`` task with its prefix left out (same function and forcing
law): the random-example control of the teaching figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnlab.theory.errors import InvalidInputError, UnknownIdError
from attnlab.theory.icl_boolean import functions as F
from attnlab.theory.icl_boolean import teaching as T
from attnlab.theory.icl_boolean._bits import check_dims, pack_bool, popcount, random_points, unpack_pm1

__all__ = ["TASKS", "OFFICIAL_NAME", "FORCE_P", "TaskDraw", "sample_task", "sample_prompts", "make_rng",
           "nearest_neighbour_labels", "label"]

#: our task name -> the official task flag (bool_tasks.py unless marked)
OFFICIAL_NAME = {
    "conjunction": "conjunction", "disjunction": "disjunction", "sparse_disjunction": "sparse_disjunction",
    "dnf3": "dnf", "cnf3": "cnf", "sparse_majority": "majority", "majority": "full_majority (bool_tasks_openai.py)",
    "threshold": "sparse_thres", "int_halfspace": "int_halfspace", "sparse_parity": "sparse_parity",
    "parity": "parity", "nearest_neighbour": "nearest_neighbours",
    "mono_conjunction": "mono_conjunction (bool_tasks_openai.py, n > 7 law)",
    "mono_conjunction_teach": "teach_conjunction", "conjunction_teach": "teach_biconjunction",
    "dnf3_teach": "teach_dnf",
}
TASKS = tuple(OFFICIAL_NAME)

#: probability that a point is forced (satisfies / falsifies the function or the chosen term)
FORCE_P = {"conjunction": 0.3, "disjunction": 0.3, "sparse_disjunction": 0.3, "dnf3": 0.35, "cnf3": 0.3,
           "mono_conjunction": 0.3, "mono_conjunction_teach": 0.4, "conjunction_teach": 0.4, "dnf3_teach": 0.35}

#: literal probabilities (p(x_j), p(not x_j)) per coordinate
LITERAL_P = {"conjunction": (0.15, 0.15), "disjunction": (0.15, 0.15), "conjunction_teach": (0.15, 0.15),
             "threshold": (0.15, 0.15), "dnf3": (0.1, 0.1), "cnf3": (0.1, 0.1), "dnf3_teach": (0.2, 0.0),
             "mono_conjunction": (0.3, 0.0), "mono_conjunction_teach": (0.3, 0.0)}
THRESHOLDS = np.arange(-3, 3) + 0.5  # torch.randint(-3, 3) + 0.5: {-2.5, ..., 2.5}
NN_START_IDX = 20  # args.py comment (the class default 0 crashes), spec 2.8


@dataclass
class TaskDraw:
    """One batch of prompts: packed points ``xp (B, N)``, labels ``y (B, N)`` in {-1, +1} (int8), the drawn
    functions ``params`` (arrays with leading axis B), the forced-point mask (None where nothing is forced) and
    the teaching-prefix lengths (None for tasks without one)."""

    task: str
    n_dims: int
    xp: np.ndarray
    y: np.ndarray
    params: dict = field(default_factory=dict)
    forced: np.ndarray | None = None
    teach_len: np.ndarray | None = None

    @property
    def X(self) -> np.ndarray:
        """The points as a :math:`\\pm 1` int8 array ``(B, N, n)``."""
        return unpack_pm1(self.xp, self.n_dims)


def make_rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        raise InvalidInputError(f"seed must be an integer, got {seed!r}")
    return np.random.default_rng(seed)


def _literals(rng, shape, n, p_pos, p_neg):
    u = rng.random((*shape, n))
    return pack_bool(u < p_pos), pack_bool((u >= p_pos) & (u < p_pos + p_neg))


def _subset(rng, B, n, k):
    if k > n:
        raise InvalidInputError(f"this task needs n_dims >= {k}, got {n}")
    idx = np.argpartition(rng.random((B, n)), k - 1, axis=1)[:, :k]
    bits = np.zeros((B, n), dtype=bool)
    np.put_along_axis(bits, idx, True, axis=1)
    return pack_bool(bits)


def _force(xp, forced, mask, value):
    """Forced points get ``value`` on the bits of ``mask`` (both (B,) or broadcastable)."""
    return np.where(forced, (xp & ~mask[:, None]) | value[:, None], xp)


def label(task: str, xp: np.ndarray, params: dict, n: int) -> np.ndarray:
    """Labels of packed points under the drawn functions (``nearest_neighbour`` has no function: use
    :func:`nearest_neighbour_labels`)."""
    p = params
    if task in ("conjunction", "mono_conjunction", "mono_conjunction_teach", "conjunction_teach"):
        return F.conjunction(xp, p["pos"][:, None], p["neg"][:, None])
    if task in ("disjunction", "sparse_disjunction"):
        return F.disjunction(xp, p["pos"][:, None], p["neg"][:, None])
    if task in ("dnf3", "dnf3_teach"):
        return F.dnf(xp, p["pos"], p["neg"])
    if task == "cnf3":
        return F.cnf(xp, p["pos"], p["neg"])
    if task == "sparse_majority":
        return F.sparse_majority(xp, p["S"][:, None])
    if task == "majority":
        return F.full_majority(xp, p["w"][:, None], n)
    if task == "threshold":
        return F.threshold(xp, p["pos"][:, None], p["neg"][:, None], p["b"][:, None])
    if task == "int_halfspace":
        return F.int_halfspace(xp, p["w"], n)
    if task in ("parity", "sparse_parity"):
        return F.parity(xp, p["S"][:, None])
    raise UnknownIdError("task", task, [t for t in TASKS if t != "nearest_neighbour"])


def nearest_neighbour_labels(xp: np.ndarray, n: int, start_idx: int, rng) -> np.ndarray:
    """Official NN task: labels of points ``< start_idx`` uniform (an exact duplicate of an earlier point
    copies its label); later points copy the label of the nearest earlier point, ties to the earliest."""
    B, N = xp.shape
    D = popcount(xp[:, :, None] ^ xp[:, None, :])
    earlier = np.arange(N)[None, :] < np.arange(N)[:, None]  # [i, j]: j < i
    D = np.where(earlier[None], D, n + 1)
    nn = np.argmin(D, axis=2)  # first minimum = earliest index
    dup = D.min(axis=2) == 0
    y = np.where(rng.random((B, N)) < 0.5, np.int8(1), np.int8(-1))
    rows = np.arange(B)
    for i in range(1, N):
        copy = dup[:, i] if i < start_idx else np.ones(B, dtype=bool)
        y[:, i] = np.where(copy, y[rows, nn[:, i]], y[:, i])
    return y


def _sample_literal_family(task, rng, B, N, n, teaching):
    p_force = FORCE_P[task]
    if task == "sparse_disjunction":
        pos, neg = _subset(rng, B, n, 4), np.zeros(B, dtype=np.uint64)
    else:
        pos, neg = _literals(rng, (B,), n, *LITERAL_P[task])
    xp = random_points(rng, n, (B, N))
    forced = rng.random((B, N)) < p_force
    m = pos | neg
    if task == "disjunction" or task == "sparse_disjunction":
        xp = _force(xp, forced, m, neg)  # falsify every literal
    else:
        xp = _force(xp, forced, m, pos)  # satisfy every literal
    teach_len = None
    if task.endswith("_teach"):
        rows, teach_len = T.general_rows(pos, neg, n) if task == "conjunction_teach" else T.mono_rows(pos, n)
        if teaching:
            xp = T.overwrite_prefix(xp, rows, teach_len)
            forced = forced & (np.arange(N)[None, :] >= teach_len[:, None])
    return xp, {"pos": pos, "neg": neg}, forced, teach_len


def _sample_terms(task, rng, B, N, n, teaching):
    pos, neg = _literals(rng, (B, 3), n, *LITERAL_P[task])
    cid = rng.integers(0, 3, size=B)
    xp = random_points(rng, n, (B, N))
    forced = rng.random((B, N)) < FORCE_P[task]
    cp, cn = pos[np.arange(B), cid], neg[np.arange(B), cid]
    xp = _force(xp, forced, cp | cn, cn if task == "cnf3" else cp)
    teach_len = None
    if task == "dnf3_teach":
        rows, teach_len = T.dnf_rows(pos, n)
        if teaching:
            xp = T.overwrite_prefix(xp, rows, teach_len)
            forced = forced & (np.arange(N)[None, :] >= teach_len[:, None])
    return xp, {"pos": pos, "neg": neg, "cid": cid}, forced, teach_len


def _sample_uniform_input(task, rng, B, N, n):
    if task == "sparse_majority":
        params = {"S": pack_bool(rng.random((B, n)) < 0.3)}
    elif task == "majority":
        params = {"w": random_points(rng, n, (B,))}
    elif task == "threshold":
        pos, neg = _literals(rng, (B,), n, *LITERAL_P[task])
        params = {"pos": pos, "neg": neg, "b": THRESHOLDS[rng.integers(0, len(THRESHOLDS), size=B)]}
    elif task == "int_halfspace":
        params = {"w": rng.integers(-3, 4, size=(B, n)).astype(np.int8)}
    elif task == "sparse_parity":
        params = {"S": _subset(rng, B, n, 2)}
    else:  # parity: every subset equally likely = each coordinate in S w.p. 1/2
        params = {"S": random_points(rng, n, (B,))}
    return random_points(rng, n, (B, N)), params


def _check_sizes(n_points, batch):
    for name, v in (("n_points", n_points), ("batch", batch)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidInputError(f"{name} must be an integer >= 1, got {v!r}")


def sample_task(task: str, n_dims: int, n_points: int, batch: int, seed, *, start_idx: int = NN_START_IDX,
                teaching: bool = True) -> TaskDraw:
    """Draw ``batch`` prompts of ``n_points`` points of task ``task`` (see the module table), seeded."""
    if task not in OFFICIAL_NAME:
        raise UnknownIdError("task", task, list(TASKS))
    n = check_dims(n_dims)
    _check_sizes(n_points, batch)
    rng = make_rng(seed)
    B, N = int(batch), int(n_points)
    if task == "nearest_neighbour":
        if start_idx < 1:
            raise InvalidInputError(f"start_idx must be >= 1 (the official default 0 crashes), got {start_idx}")
        xp = random_points(rng, n, (B, N))
        return TaskDraw(task, n, xp, nearest_neighbour_labels(xp, n, start_idx, rng), {"start_idx": start_idx})
    if task in ("dnf3", "cnf3", "dnf3_teach"):
        xp, params, forced, tl = _sample_terms(task, rng, B, N, n, teaching)
    elif task in FORCE_P:
        xp, params, forced, tl = _sample_literal_family(task, rng, B, N, n, teaching)
    else:
        (xp, params), forced, tl = _sample_uniform_input(task, rng, B, N, n), None, None
    return TaskDraw(task, n, xp, label(task, xp, params, n), params, forced, tl if teaching else None)


def sample_prompts(task: str, n_dims: int, n_points: int, batch: int, seed, **options):
    r"""Public API: ``(X, y)``, :math:`\pm 1` int8 arrays of shapes ``(batch, n_points, n_dims)`` and
    ``(batch, n_points)``, with the official sampling law of ``task`` (options: ``start_idx`` for
    ``nearest_neighbour``, ``teaching`` for the ``*_teach`` tasks)."""
    d = sample_task(task, n_dims, n_points, batch, seed, **options)
    return d.X, d.y
