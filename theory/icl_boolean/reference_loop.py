r"""Plain per-example reference implementations, written from the spec's prose (spec 2.8, 2.12), one point
at a time with Python's :mod:`random` and :math:`\pm1` lists: the differential partner of the vectorised
samplers (tests) and the "per-example Python loop" that the sampler benchmarks are timed against.

Labels use the official formulas on :math:`\pm1` vectors: conjunction :math:`\mathrm{sign}(\langle w,x\rangle
- (k-1))`, disjunction :math:`\mathrm{sign}(\langle w,x\rangle + k - 1)`, parity via the 0/1 bits.
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["conjunction_prompts_loop", "parity_prompts_loop", "conjunction_label", "disjunction_label",
           "teaching_rows_loop"]


def _dot(w, x):
    return sum(a * b for a, b in zip(w, x, strict=True))


def conjunction_label(w, x) -> int:
    k = sum(abs(a) for a in w)
    return 1 if _dot(w, x) - (k - 1) > 0 else -1


def disjunction_label(w, x) -> int:
    k = sum(abs(a) for a in w)
    return 1 if _dot(w, x) + k - 1 > 0 else -1


def conjunction_prompts_loop(n: int, n_points: int, batch: int, seed: int):
    """Conjunction prompts, one point at a time: literal law (.7/.15/.15), uniform inputs, each point forced
    to satisfy the conjunction with probability .3. Returns (X, y, W) as numpy arrays."""
    rnd = random.Random(seed)
    X, Y, W = [], [], []
    for _ in range(batch):
        w = []
        for _ in range(n):
            u = rnd.random()
            w.append(1 if u < 0.15 else (-1 if u < 0.3 else 0))
        xs, ys = [], []
        for _ in range(n_points):
            x = [1 if rnd.random() < 0.5 else -1 for _ in range(n)]
            if rnd.random() < 0.3:
                x = [a if a != 0 else b for a, b in zip(w, x, strict=True)]
            xs.append(x)
            ys.append(conjunction_label(w, x))
        X.append(xs)
        Y.append(ys)
        W.append(w)
    return np.array(X, dtype=np.int8), np.array(Y, dtype=np.int8), np.array(W, dtype=np.int8)


def parity_prompts_loop(n: int, n_points: int, batch: int, seed: int):
    """Full-parity prompts one point at a time: a uniform subset, uniform inputs, label +1 iff an odd number
    of the subset's coordinates are +1. Returns (X, y, S) with S the 0/1 membership vectors."""
    rnd = random.Random(seed)
    X, Y, S = [], [], []
    for _ in range(batch):
        s = [rnd.random() < 0.5 for _ in range(n)]
        xs, ys = [], []
        for _ in range(n_points):
            x = [1 if rnd.random() < 0.5 else -1 for _ in range(n)]
            odd = sum(1 for a, b in zip(s, x, strict=True) if a and b == 1) % 2
            xs.append(x)
            ys.append(1 if odd else -1)
        X.append(xs)
        Y.append(ys)
        S.append(s)
    return np.array(X, dtype=np.int8), np.array(Y, dtype=np.int8), np.array(S, dtype=np.int8)


def teaching_rows_loop(w, kind: str) -> list[list[int]]:
    """Teaching rows of one function (spec 2.12). ``kind``: ``monotone`` (w in {0,1}^n), ``general``
    (w in {0,+-1}^n), or ``dnf`` (w a list of three monotone terms)."""
    if kind == "dnf":
        return [row for term in w for row in teaching_rows_loop(term, "monotone")]
    n = len(w)
    lits = [j for j in range(n) if w[j] != 0]
    if kind == "monotone":
        first = [1 if w[j] == 1 else -1 for j in range(n)]
        rows = [first]
        for j in lits:
            r = list(first)
            r[j] = -1
            rows.append(r)
        return rows
    sat = [w[j] if w[j] != 0 else -1 for j in range(n)]
    rows = [sat, [w[j] if w[j] != 0 else 1 for j in range(n)]]
    for j in [j for j in lits if w[j] == 1] + [j for j in lits if w[j] == -1]:
        r = list(sat)
        r[j] = -w[j]
        rows.append(r)
    return rows
