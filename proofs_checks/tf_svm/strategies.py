r"""Hypothesis strategies for tf_svm claims, bounded by the mathematics.

Instances are drawn as (shape, seed) and built by :mod:`attnlab.theory.tf_svm.examples`, so entries are unit-norm
Gaussian tokens and queries (the official generators) and shrinking acts on the seed. Shapes (n, T, d) use
distinct sizes with n < d, so a swapped axis or a row/column-space mix-up cannot pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from attnlab.theory.tf_svm.examples import TfSvmInstance, equal_score_instance, random_instance

__all__ = [
    "SHAPES", "Drawn", "EvalCap", "instances", "instances_with_alpha", "equal_score_instances", "factorizations",
    "Factorization",
]

#: (n, T, d): distinct sizes, n < d, d >= T - 1 (over-parameterised, so every alpha is feasible).
SHAPES = ((2, 3, 5), (3, 5, 7), (2, 5, 7))


@dataclass(frozen=True)
class Drawn:
    """A drawn instance with an index vector ``alpha`` and free numbers ``extra`` (scale, seed)."""

    inst: TfSvmInstance
    alpha: tuple[int, ...]
    extra: float = 1.0
    seed: int = 0


class EvalCap:
    """Per-claim cap on expensive evaluations, with a memo of per-instance diagnostics.

    A claim whose one evaluation costs ~1 s (NGD ladders, multi-start path solves) evaluates at most ``cap``
    distinct drawn instances per run; later draws are reported as unmet ``reason`` (a cost cap, counted in
    the record's reasons, never a pass). Replays of an instance already evaluated (Hypothesis confirming a
    failure) reuse the memo. :meth:`summary` returns the cap and the stored diagnostics of the worst
    instance, and resets the state for the next run.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.memo: dict = {}

    @staticmethod
    def key(d: Drawn) -> tuple:
        return (d.inst.name, d.alpha, d.extra, d.seed)

    def over(self, d: Drawn) -> list[str]:
        """``[reason]`` when ``d`` is new and ``cap`` instances were already evaluated in this search.

        Outside a Hypothesis search (``Claim.check_instance``, direct calls) there is no cap."""
        if not currently_in_test_context() or self.key(d) in self.memo or len(self.memo) < self.cap:
            return []
        return [f"per-claim evaluation cap reached ({self.cap} instances evaluated; cost)"]

    def run(self, d: Drawn, fn):
        """``fn(d) -> (Comparison, diagnostics dict)``, memoised by instance during a search."""
        if not currently_in_test_context():
            return fn(d)
        k = self.key(d)
        if k not in self.memo:
            self.memo[k] = fn(d)
        return self.memo[k]

    def summary(self, found, aggregate=None) -> dict:
        """Cap, count, the worst instance's diagnostics and ``aggregate(list of diagnostics)``; resets."""
        worst = self.memo.get(self.key(found.worst_instance)) if found.worst_instance is not None else None
        out = {"evaluation_cap": self.cap, "evaluated": len(self.memo),
               "worst_diagnostics": None if worst is None else worst[1]}
        if aggregate is not None and self.memo:
            out.update(aggregate([diag for _, diag in self.memo.values()]))
        self.memo = {}
        return out


@st.composite
def instances(draw, shapes=SHAPES, random_labels: bool = True) -> TfSvmInstance:
    n, T, d = draw(st.sampled_from(shapes))
    seed = draw(st.integers(0, 10**6))
    return random_instance(n, T, d, seed, random_labels=random_labels)


@st.composite
def instances_with_alpha(draw, shapes=SHAPES) -> Drawn:
    inst = draw(instances(shapes))
    n, T, _ = inst.shape
    alpha = tuple(draw(st.lists(st.integers(0, T - 1), min_size=n, max_size=n)))
    extra = draw(st.sampled_from([0.5, 2.0, 3.0]))
    seed = draw(st.integers(0, 10**6))
    return Drawn(inst, alpha, extra, seed)


@st.composite
def equal_score_instances(draw, shapes=SHAPES) -> Drawn:
    n, T, d = draw(st.sampled_from(shapes))
    seed = draw(st.integers(0, 10**6))
    inst = equal_score_instance(n, T, d, seed)
    return Drawn(inst, tuple([0] * n), 1.0, seed)


@dataclass(frozen=True)
class Factorization:
    """A matrix W (d x d, rank r in {2, 3}), an inner width m >= r and a seed for the random G."""

    W: np.ndarray
    m: int
    seed: int


@st.composite
def factorizations(draw) -> Factorization:
    d = draw(st.sampled_from([5, 7]))
    r = draw(st.sampled_from([2, 3]))
    m = draw(st.integers(r, d))
    seed = draw(st.integers(0, 10**6))
    rng = np.random.default_rng(seed)
    return Factorization(rng.normal(size=(d, r)) @ rng.normal(size=(r, d)), m, seed)
