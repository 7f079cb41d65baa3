r"""Instances and Hypothesis strategies for the icl_boolean claims: a task, a dimension, a prompt length and
a seed for the task's own sampler. Dimensions and lengths come from distinct small primes-ish sets so that a
swapped axis fails; each strategy lists only instances that satisfy its claim's hypotheses by construction
(the positive-control family)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

__all__ = ["Prompts", "prompts", "seeds"]

seeds = st.integers(0, 2**31 - 1)


@dataclass(frozen=True)
class Prompts:
    """``batch`` prompts of ``points`` points of ``task`` at dimension ``n``, drawn from ``seed``."""

    task: str
    n: int
    points: int
    batch: int
    seed: int


def prompts(tasks, dims, points, batch: int) -> st.SearchStrategy[Prompts]:
    """Instances over the given tasks, dimensions and prompt lengths (``points`` may be a callable of n)."""

    @st.composite
    def build(draw):
        task = draw(st.sampled_from(tuple(tasks)))
        n = draw(st.sampled_from(tuple(dims(task) if callable(dims) else dims)))
        N = draw(st.sampled_from(tuple(points(n) if callable(points) else points)))
        return Prompts(task, n, N, batch, draw(seeds))

    return build()
