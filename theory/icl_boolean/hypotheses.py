r"""Finite hypothesis classes with the official priors and input laws, for exact Bayes by enumeration.

A :class:`HypothesisClass` lists every function of a task with its prior probability, its labels on a
packed point, and the likelihood :math:`p(x \mid h)` of an input under the task's input sampler (up to the
factor :math:`2^{-n}` common to all h):

* conjunction-like tasks with forcing probability :math:`q`: :math:`p(x\mid h) \propto (1-q) + q\,2^{k_h}\,1[x \text{ satisfies } h]`
  (spec 7.1); disjunctions with "falsifies"; ``sparse_disjunction`` with :math:`k_h = 4`;
* uniform-input tasks: constant (omitted);
* ``*_teach`` tasks: rows ``i < L_h`` are the teaching rows of h with probability one; later rows follow the
  random law above.

Sizes: :math:`3^n` (conjunction, disjunction), :math:`6 \cdot 3^n` (threshold), :math:`7^n`
(int_halfspace), :math:`2^n` (monotone, majority classes), :math:`\binom n2`, :math:`\binom n4` (sparse).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.icl_boolean import functions as F
from attnlab.theory.icl_boolean import teaching as T
from attnlab.theory.icl_boolean._bits import pack_bool, popcount, unpack_bool
from attnlab.theory.icl_boolean.tasks import FORCE_P, LITERAL_P, THRESHOLDS

__all__ = ["HypothesisClass", "hypothesis_class", "enumerable", "MAX_HYPOTHESES", "all_conjunctions"]

MAX_HYPOTHESES = 300_000
_SUPPORTED = ("conjunction", "disjunction", "conjunction_teach", "mono_conjunction", "mono_conjunction_teach",
              "sparse_disjunction", "sparse_majority", "majority", "threshold", "int_halfspace", "sparse_parity",
              "parity")


@dataclass
class HypothesisClass:
    """Every hypothesis of a task: parameters (arrays with leading axis H) and log prior ``(H,)``."""

    task: str
    n_dims: int
    params: dict
    log_prior: np.ndarray
    teach_rows: np.ndarray | None = None
    teach_len: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.log_prior.shape[0]

    def labels(self, x: np.ndarray) -> np.ndarray:
        """``x (B,)`` packed -> ``(B, H)`` bool, True where h labels x with +1."""
        p, xc = self.params, x[:, None]
        t = self.task
        if t in ("conjunction", "conjunction_teach", "mono_conjunction", "mono_conjunction_teach"):
            return F.conjunction(xc, p["pos"][None], p["neg"][None]) > 0
        if t in ("disjunction", "sparse_disjunction"):
            return F.disjunction(xc, p["pos"][None], p["neg"][None]) > 0
        if t == "sparse_majority":
            return F.sparse_majority(xc, p["S"][None]) > 0
        if t == "majority":
            return F.full_majority(xc, p["w"][None], self.n_dims) > 0
        if t == "threshold":
            return F.threshold(xc, p["pos"][None], p["neg"][None], p["b"][None]) > 0
        if t == "int_halfspace":
            bits = unpack_bool(x, self.n_dims).astype(np.float64)
            w = p["w"].astype(np.float64)
            return (2 * bits @ w.T - w.sum(axis=1)[None]) - 0.5 > 0
        return F.parity(xc, p["S"][None]) > 0

    def log_lik(self, x: np.ndarray) -> np.ndarray | None:
        """Random-law log-likelihood ``(B, H)`` of inputs ``x (B,)`` (up to a constant), None if uniform."""
        t = self.task
        if t not in FORCE_P:
            return None
        q = FORCE_P[t]
        pos, neg = self.params["pos"][None], self.params["neg"][None]
        m = pos | neg
        hit = ((x[:, None] & m) == (neg if t in ("disjunction", "sparse_disjunction") else pos))
        k = popcount(m).astype(np.float64)
        return np.log((1 - q) + q * np.exp2(k) * hit)


def _pow_prior(counts: list[np.ndarray], probs: list[float]) -> np.ndarray:
    return sum(c * math.log(p) for c, p in zip(counts, probs, strict=True) if p > 0)


def all_conjunctions(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (pos, neg) pair of disjoint bit sets: the :math:`3^n` conjunctions, packed."""
    digits = np.array(list(itertools.product((0, 1, 2), repeat=n)), dtype=np.int8)[:, ::-1]
    return pack_bool(digits == 1), pack_bool(digits == 2)


def _subsets(n: int, k: int | None = None) -> np.ndarray:
    if k is None:
        return np.arange(1 << n, dtype=np.uint64)
    out = np.zeros(math.comb(n, k), dtype=np.uint64)
    for i, c in enumerate(itertools.combinations(range(n), k)):
        out[i] = sum(1 << j for j in c)
    return out


def _count(task: str, n: int) -> int:
    sizes = {"conjunction": 3**n, "disjunction": 3**n, "conjunction_teach": 3**n, "threshold": 6 * 3**n,
             "int_halfspace": 7**n, "sparse_disjunction": math.comb(n, 4), "sparse_parity": math.comb(n, 2)}
    return sizes.get(task, 2**n)


def enumerable(task: str, n: int, limit: int = MAX_HYPOTHESES) -> bool:
    """Whether ``task`` at dimension ``n`` has an implemented class of at most ``limit`` hypotheses."""
    return task in _SUPPORTED and _count(task, n) <= limit


def hypothesis_class(task: str, n: int, teaching: bool = True) -> HypothesisClass:
    """The enumerated class of ``task`` at dimension ``n`` (raises when it exceeds ``MAX_HYPOTHESES``).
    ``teaching=False``: a ``*_teach`` task's prompts without their prefix (random law only)."""
    if task not in _SUPPORTED:
        raise InvalidInputError(
            f"exact Bayes by enumeration is implemented for {_SUPPORTED}, not {task!r} (3-term DNF/CNF: "
            f"(3^n)^3 hypotheses and a per-prompt mixture over the forced term)")
    if _count(task, n) > MAX_HYPOTHESES:
        raise InvalidInputError(f"{task} at n={n} has {_count(task, n)} hypotheses > {MAX_HYPOTHESES}; use smaller n")
    if task in ("conjunction", "disjunction", "conjunction_teach", "threshold"):
        pos, neg = all_conjunctions(n)
        pp, pn = LITERAL_P[task]
        kp, kn = popcount(pos), popcount(neg)
        lp = _pow_prior([kp, kn, n - kp - kn], [pp, pn, 1 - pp - pn])
        params = {"pos": pos, "neg": neg}
        if task == "threshold":
            nb = len(THRESHOLDS)
            params = {"pos": np.repeat(pos, nb), "neg": np.repeat(neg, nb), "b": np.tile(THRESHOLDS, pos.size)}
            lp = np.repeat(lp, nb) - math.log(nb)
    elif task in ("mono_conjunction", "mono_conjunction_teach", "sparse_majority"):
        S = _subsets(n)
        k = popcount(S)
        lp = _pow_prior([k, n - k], [0.3, 0.7])
        params = {"S": S} if task == "sparse_majority" else {"pos": S, "neg": np.zeros_like(S)}
    elif task == "int_halfspace":
        w = np.array(list(itertools.product(range(-3, 4), repeat=n)), dtype=np.int8)
        params, lp = {"w": w}, np.full(w.shape[0], -n * math.log(7))
    elif task == "majority":
        params, lp = {"w": _subsets(n)}, np.full(1 << n, -n * math.log(2))
    elif task == "sparse_disjunction":
        S = _subsets(n, 4)
        params, lp = {"pos": S, "neg": np.zeros_like(S)}, np.full(S.size, -math.log(S.size))
    else:  # sparse_parity, parity: uniform
        S = _subsets(n, 2 if task == "sparse_parity" else None)
        params, lp = {"S": S}, np.full(S.size, -math.log(S.size))
    hc = HypothesisClass(task, n, params, np.asarray(lp, dtype=np.float64))
    if not teaching:
        return hc
    if task == "conjunction_teach":
        hc.teach_rows, hc.teach_len = T.general_rows(params["pos"], params["neg"], n)
    elif task == "mono_conjunction_teach":
        hc.teach_rows, hc.teach_len = T.mono_rows(params["pos"], n)
    return hc
