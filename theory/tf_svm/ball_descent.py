r"""Projected gradient with backtracking over a tuple of parameter arrays: the one local solver behind the
regularisation paths on factors $(K, Q)$, on the prompt $p$ and inside a cone around $W^{mm}_\alpha$.

$$\theta_{k+1} = P(\theta_k - t_k\, g_k/\|g_k\|),$$

where $P$ is the feasible set's projection (a radial scaling onto a ball, or ball $\cap$ cone), $\|\cdot\|$
the Frobenius norm of the whole tuple, and $t_k$ grows by 1.5 after an accepted step and halves on a rejected
one; a step is accepted only when the objective strictly decreases. Objectives are passed as gaps
$\mathcal{L} - \mathcal{L}^\star$ (:func:`attnlab.theory.tf_svm.attention_loss.loss_gap`), so progress is still seen
when the loss sits within $10^{-13}$ of its infimum. The problems are non-convex: callers start from several
points and keep the best (:func:`best_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["tuple_norm", "scale_onto_sphere", "descend", "best_of"]

Params = tuple[np.ndarray, ...]


def tuple_norm(params: Sequence[np.ndarray]) -> float:
    r"""$\sqrt{\sum_j \|P^{(j)}\|_F^2}$."""
    return float(np.sqrt(sum(float(np.sum(p * p)) for p in params)))


def scale_onto_sphere(params: Sequence[np.ndarray], radius: float) -> Params:
    """The tuple scaled radially to Frobenius norm ``radius`` (unchanged when it is 0)."""
    size = tuple_norm(params)
    return tuple(params) if size == 0 else tuple(p * (radius / size) for p in params)


def descend(start: Params, gap: Callable[[Params], float], grad: Callable[[Params], Params],
            project: Callable[[Params], Params], t0: float, steps: int) -> tuple[Params, float]:
    """Projected gradient with backtracking from ``start`` (already feasible); returns (params, gap)."""
    theta, f, t = start, gap(start), t0
    for _ in range(steps):
        g = grad(theta)
        gn = tuple_norm(g)
        if gn == 0.0:
            break
        while t > 1e-12 * t0:
            cand = project(tuple(a - (t / gn) * b for a, b in zip(theta, g, strict=True)))
            fc = gap(cand)
            if fc < f:
                theta, f, t = cand, fc, t * 1.5
                break
            t *= 0.5
        else:
            break
    return theta, f


def best_of(starts: Sequence[Params], gap, grad, project, t0: float, steps: int) -> Params:
    """:func:`descend` from every start; the result with the smallest gap."""
    runs = [descend(project(s), gap, grad, project, t0, steps) for s in starts]
    return min(runs, key=lambda r: r[1])[0]
