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

from attnlab.theory.tf_svm.examples import (
    TfSvmInstance,
    equal_score_instance,
    local_optimum_instance,
    random_instance,
)

__all__ = [
    "SHAPES", "Drawn", "Diagnostics", "labelled_equal_score_instances", "labelled_instances", "local_optimum_instances", "instances", "instances_with_alpha", "equal_score_instances", "factorizations",
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


class Diagnostics:
    """Memo of per-instance diagnostics for a claim whose evaluation is costly (NGD ladders, path solves).

    :meth:`run` evaluates ``fn(d) -> (Comparison, diagnostics dict)`` once per distinct drawn instance during a
    search (Hypothesis replays reuse it); :meth:`summary` returns the worst instance's diagnostics plus
    ``aggregate(all diagnostics)`` and resets. How many instances are evaluated is the registry's
    ``evaluation_cap`` (a record field), not this memo's business.
    """

    def __init__(self):
        self.memo: dict = {}

    @staticmethod
    def key(d: Drawn) -> tuple:
        return (d.inst.name, d.alpha, d.extra, d.seed)

    def run(self, d: Drawn, fn):
        if not currently_in_test_context():
            return fn(d)
        k = self.key(d)
        if k not in self.memo:
            self.memo[k] = fn(d)
        return self.memo[k]

    def summary(self, found, aggregate=None) -> dict:
        worst = self.memo.get(self.key(found.worst_instance)) if found.worst_instance is not None else None
        out = {"evaluated": len(self.memo), "worst_diagnostics": None if worst is None else worst[1]}
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


def _labels(draw, n: int) -> np.ndarray:
    """Random labels with ``Y_0 = -1``: a check that ignores the labels sees a different problem on input 0."""
    Y = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    Y[0] = -1.0
    return Y


@st.composite
def labelled_equal_score_instances(draw, shapes=SHAPES) -> Drawn:
    """Assumption B by construction (:func:`equal_score_instance`), random labels with ``Y_0 = -1``, score gap in
    [0.3, 1]."""
    n, T, d = draw(st.sampled_from(shapes))
    seed = draw(st.integers(0, 10**6))
    gap = draw(st.sampled_from([0.3, 0.5, 1.0]))
    inst = equal_score_instance(n, T, d, seed, gap=gap, labels=_labels(draw, n))
    return Drawn(inst, tuple([0] * n), gap, seed)


@st.composite
def labelled_instances(draw, shapes=SHAPES) -> Drawn:
    """Official-generator instances (unit Gaussian tokens; scores in general position with probability 1), random
    labels with ``Y_0 = -1``, and a seed for the initialisation."""
    n, T, d = draw(st.sampled_from(shapes))
    seed = draw(st.integers(0, 10**6))
    base = random_instance(n, T, d, seed)
    Y = _labels(draw, n)
    tag = "".join("+" if y > 0 else "-" for y in Y)
    inst = TfSvmInstance(base.X, base.Z, base.v, Y, f"{base.name[:-1]},Y={tag})")
    return Drawn(inst, tuple([0] * n), 1.0, draw(st.integers(0, 10**6)))


@st.composite
def local_optimum_instances(draw) -> Drawn:
    """:func:`local_optimum_instance`: alpha = (1, ..., 1) locally optimal and not optimal by construction, near-support
    gap delta = c - 1 >= 0.5, random labels with ``Y_0 = -1``; shapes with d >= max(n, T)."""
    n, T, d = draw(st.sampled_from(((2, 3, 5), (3, 5, 7), (2, 5, 7))))
    seed = draw(st.integers(0, 10**6))
    c = draw(st.sampled_from([1.5, 2.0, 3.0]))
    inst = local_optimum_instance(n, T, d, seed, c=c, labels=_labels(draw, n))
    return Drawn(inst, tuple([1] * n), c, draw(st.integers(0, 10**6)))
