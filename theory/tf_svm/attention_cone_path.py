r"""The *local* regularisation path: minimisers of $\mathcal{L}(W)$ inside a cone around a direction $\bar W$,

$$\bar W_R^{\mu} = \arg\min\{\mathcal{L}(W) : \|W\|_F \le R,\ \langle W, \hat W\rangle \ge (1 - \mu)\|W\|_F\},
\qquad \hat W = \bar W/\|\bar W\|_F,$$

the path TF-SVM's local regularisation-path statement follows toward $W^{mm}_\alpha$ for a locally optimal
$\alpha$ (the cone $C_\mu(W^{mm}_\alpha)$; theorem number and hypotheses unverified: only the abstract was read).

Projection onto the feasible set: the cone $K_\mu = \{W : \langle W, \hat W\rangle \ge (1-\mu)\|W\|\}$ is a
second-order cone with axis $\hat W$ and half-angle $\theta = \arccos(1 - \mu)$; writing $W = a\hat W + bE$
($E \perp \hat W$ unit), $P_K(W) = W$ if $b \le a\tan\theta$, $0$ if $a \le -b\tan\theta$, else
$\frac{a + b\tan\theta}{1 + \tan^2\theta}(\hat W + \tan\theta\,E)$. For a closed convex cone and a ball centred at
its apex the projection onto the intersection is $P_B \circ P_K$ (the ball's radial scaling keeps a point of the
cone in the cone, and $P_K(W)$ is the nearest point of $K$ along every ray), so the set's projection is a cone
projection then a radial scaling. Solved by :mod:`attnlab.theory.tf_svm.ball_descent` from random starts near
the axis, projected into the set; the best is kept.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._lazy import lazy_function
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import Loss, get_loss
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores
from attnlab.theory.tf_svm.ball_descent import best_of, scale_onto_sphere

__all__ = ["project_cone", "loss_gap_to_selection", "cone_path_point"]

log_softmax = lazy_function("scipy.special", "log_softmax")


def loss_gap_to_selection(X, Z, W, gamma, alpha, loss: str | Loss = "logistic") -> float:
    r"""$\mathcal{L}(W) - \mathcal{L}^\star_\alpha$, $\mathcal{L}^\star_\alpha = \frac1n\sum_i \ell(\gamma_{i\alpha_i})$, without
    cancellation: $u_i - \gamma_{i\alpha_i} = \sum_\tau s_{i\tau}(\gamma_{i\tau} - \gamma_{i\alpha_i})$, then ``Loss.diff``.

    The reference is the selection's own limit, not the global $\mathcal{L}^\star$: near $W^{mm}_\alpha$ the loss
    differs from $\mathcal{L}^\star_\alpha$ by $\sim e^{-R}$, far below the rounding of $\mathcal{L} - \mathcal{L}^\star$.
    May be negative (a higher-scoring token gets weight)."""
    lo = get_loss(loss)
    s = np.exp(log_softmax(np.einsum("ntd,de,ne->nt", X, W, Z), axis=-1))
    sel = gamma[np.arange(gamma.shape[0]), alpha]
    return float(lo.diff(sel, np.einsum("nt,nt->n", s, gamma - sel[:, None])).mean())


def project_cone(W: np.ndarray, axis: np.ndarray, mu: float) -> np.ndarray:
    r"""Euclidean projection of ``W`` onto $\{\langle W, \hat a\rangle \ge (1 - \mu)\|W\|_F\}$, $0 < \mu < 1$."""
    u = axis / np.linalg.norm(axis)
    a = float(np.sum(W * u))
    E = W - a * u
    b = float(np.linalg.norm(E))
    tan = np.sqrt(1.0 - (1.0 - mu) ** 2) / (1.0 - mu)
    if b <= a * tan:
        return W
    if a <= -b * tan:
        return np.zeros_like(W)
    return (a + b * tan) / (1.0 + tan * tan) * (u + tan * E / b)


def cone_path_point(X, Z, v, Y, R: float, axis, mu: float, alpha, restarts: int = 2, steps: int = 300,
                    seed: int = 0, loss: str | Loss = "logistic", start=None) -> np.ndarray:
    r"""Best $\bar W^\mu_R$ found from ``restarts`` random starts near the axis and ``start``, each
    projected into $\{\|W\|_F \le R\} \cap K_\mu(\text{axis})$; objective :func:`loss_gap_to_selection` of ``alpha``."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    if R <= 0 or not 0 < mu < 1:
        raise InvalidInputError(f"need R > 0 and 0 < mu < 1, got R = {R}, mu = {mu}")
    axis = np.asarray(axis, dtype=np.float64)
    gamma = token_scores(X, v, Y)
    rng = np.random.default_rng(seed)
    # random starts only (never the axis itself: a solver that cannot move would then report the axis exactly)
    starts = [(axis / np.linalg.norm(axis) + rng.normal(size=axis.shape) / axis.shape[0],) for _ in range(restarts)]
    if start is not None:
        starts.append((np.asarray(start, dtype=np.float64),))

    alpha = np.asarray(alpha)

    def gap(w):
        return loss_gap_to_selection(X, Z, w[0], gamma, alpha, loss)

    def grad(w):
        return (grad_w(X, Z, v, Y, w[0], loss)[1],)

    def project(w):
        P = project_cone(w[0], axis, mu)
        return (P,) if np.linalg.norm(P) <= R else scale_onto_sphere((P,), R)

    return best_of([scale_onto_sphere(s, R) for s in starts], gap, grad, project, R, steps)[0]
