r"""Instances of the MMTS prompt model for the p claims (no claims here): random ones for the searches and
families built so that a theorem's hypotheses hold (positive controls).

Prompt instance: values $X \in \mathbb{R}^{n\times T\times d}$ (unit Gaussian tokens), head $v$, labels $Y$
alternating $+1, -1, \dots$ (so a dropped label changes the optimal tokens), keys $k_{it} = W^\top x_{it}$ with a
Gaussian $W \in \mathbb{R}^{d\times d'}$. Shapes $(n, T, d, d')$ have distinct sizes and $n(T-1) \le d'$, so the
$n(T-1)$ constraint rows are generically independent and every prompt SVM is feasible.

:func:`all_support_instance` builds keys where *every* non-optimal token is a support token of $p^{mm}$ (MMTS's
global-convergence condition as recalled, unverified): $k_{it} = k_{i,\mathrm{opt}} - \delta_{it}$ with
$\delta_{it} = u/s + w_{it}$, $w_{it} \perp u$, $\sum_{it} w_{it} = 0$. Then $p^\star = s\,u$ meets every
constraint with equality and $p^\star = \sum_{it} (s^2/N)\,\delta_{it}$ with positive multipliers, so
$p^{mm} = p^\star$ by the KKT conditions and all $N = n(T-1)$ constraints are active.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.theory.tf_svm.attention_model import optimal_tokens
from attnlab.theory.tf_svm.examples import TfSvmInstance, mmts_single_input

__all__ = ["PromptDraw", "PROMPT_SHAPES", "random_prompt_instance", "all_support_instance", "prompt_draws",
           "all_support_draws", "recalled_global_draws", "single_input_local_draws"]

#: (n, T, d, d'): distinct sizes, n (T - 1) <= d'
PROMPT_SHAPES = ((2, 3, 5, 7), (3, 2, 7, 5), (2, 4, 7, 6))


@dataclass(frozen=True)
class PromptDraw:
    """A prompt instance (``inst.keys`` set), an optional index vector fixed beforehand, a seed."""

    inst: TfSvmInstance
    alpha: tuple[int, ...] | None
    seed: int


def _values(n, T, d, rng):
    X = rng.normal(size=(n, T, d))
    X /= np.linalg.norm(X, axis=-1, keepdims=True)
    v = rng.normal(size=d)
    return X, v / np.linalg.norm(v), np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def random_prompt_instance(n: int, T: int, d: int, dk: int, seed: int) -> TfSvmInstance:
    """Unit Gaussian values, alternating labels, keys ``X @ W`` with W Gaussian (d, dk) / sqrt(d)."""
    rng = np.random.default_rng(seed)
    X, v, Y = _values(n, T, d, rng)
    keys = X @ (rng.normal(size=(d, dk)) / np.sqrt(d))
    return TfSvmInstance(X, np.zeros((n, d)), v, Y, f"prompt(n={n},T={T},d={d},dk={dk},seed={seed})", keys=keys)


def all_support_instance(n: int, T: int, d: int, dk: int, seed: int, equal_scores: bool = False,
                         non_obtuse: bool = False) -> TfSvmInstance:
    r"""Keys around each input's optimal token (of the values' scores) with every constraint active at p^mm.

    ``equal_scores``: the values are moved along $v$ so that every non-optimal token of input $i$ scores
    $c_i$ and the optimal one $c_i + 0.5$ (Assumption B's equal scores, as in
    :func:`attnlab.theory.tf_svm.examples.equal_score_instance`). ``non_obtuse``: the $w_{it}$ are scaled to
    $\max\|w_{it}\| = 0.9/s$, so $\delta_{it}^\top\delta_{j\tau} \ge (1 - 0.81)/s^2 > 0$ for every pair (the derived
    sufficient condition of ``DERIVATIONS.md#mmts-global-condition``)."""
    rng = np.random.default_rng(seed)
    X, v, Y = _values(n, T, d, rng)
    opt, _ = optimal_tokens(X, v, Y)
    if equal_scores:
        target = np.repeat(rng.normal(size=n)[:, None] * 0.3, T, axis=1)
        target[np.arange(n), opt] += 0.5
        X = X + (Y[:, None] * target - X @ v)[..., None] * v  # Y_i v^T x_it = target_it
    u = rng.normal(size=dk)
    u /= np.linalg.norm(u)
    s = float(rng.uniform(0.5, 2.0))
    w = rng.normal(size=(n, T - 1, dk))
    w -= np.einsum("ntk,k->nt", w, u)[..., None] * u  # w_it orthogonal to u
    w -= w.mean(axis=(0, 1))  # sum_it w_it = 0 (stays orthogonal to u)
    if non_obtuse:
        w *= 0.9 / (s * np.linalg.norm(w, axis=-1).max())
    delta = u / s + w
    base = rng.normal(size=(n, dk))
    keys = np.repeat(base[:, None, :], T, axis=1)
    for i in range(n):
        others = [t for t in range(T) if t != opt[i]]
        keys[i, others] = base[i] - delta[i]
    return TfSvmInstance(X, np.zeros((n, d)), v, Y, f"all_support(n={n},T={T},d={d},dk={dk},seed={seed})",
                         keys=keys)


@st.composite
def prompt_draws(draw, build=random_prompt_instance) -> PromptDraw:
    n, T, d, dk = draw(st.sampled_from(PROMPT_SHAPES))
    seed = draw(st.integers(0, 10**6))
    return PromptDraw(build(n, T, d, dk, seed), None, seed)


def _all_support_equal(n, T, d, dk, seed):
    return all_support_instance(n, T, d, dk, seed, equal_scores=True, non_obtuse=True)


def all_support_draws():
    """Positive family of the global-GD claim: all-support keys, equal non-optimal scores, non-obtuse rows."""
    return prompt_draws(_all_support_equal)


def _all_support_equal_any_angle(n, T, d, dk, seed):
    return all_support_instance(n, T, d, dk, seed, equal_scores=True)


def recalled_global_draws():
    """All-support keys and equal non-optimal scores, rows at any angle: the recalled global hypotheses only."""
    return prompt_draws(_all_support_equal_any_angle)


@st.composite
def single_input_local_draws(draw) -> PromptDraw:
    r"""Positive family of the local-GD claim: MMTS's single-input toy with $\gamma_c < 0.9$, where token b
    (index 1) is locally optimal by construction (its only support token c scores below it) and a is optimal."""
    gamma_c = draw(st.floats(-1.0, 0.8, allow_nan=False))
    seed = draw(st.integers(0, 10**6))
    return PromptDraw(mmts_single_input(gamma_c), (1,), seed)
