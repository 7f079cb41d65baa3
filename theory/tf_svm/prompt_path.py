r"""Regularisation paths of the prompt model (MMTS): $\bar p_R = \arg\min_{\|p\| \le R}\mathcal{L}(p)$.

Prompt model: logits $k_{it}^\top p$ (keys $k_{it} = W^\top x_{it}$), scores $\gamma_{it} = Y_i v^\top x_{it}$ of the
values $X$. Solved by projected gradient with backtracking (:mod:`attnlab.theory.tf_svm.ball_descent`) from random
starts on the sphere of radius R plus an optional ``start`` (continuation along R); the best is kept.

Paper notation: p-bar_R of MMTS (arXiv 2306.13596, abstract: "a broader regularization path analysis"; the
theorem's number unverified).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_gd import grad_p
from attnlab.theory.tf_svm.attention_loss import Loss, loss_gap
from attnlab.theory.tf_svm.attention_model import token_scores
from attnlab.theory.tf_svm.ball_descent import best_of, scale_onto_sphere, tuple_norm

__all__ = ["prompt_path_point"]


def prompt_path_point(keys, X, v, Y, R: float, restarts: int = 4, steps: int = 300, seed: int = 0,
                      loss: str | Loss = "logistic", start=None) -> np.ndarray:
    r"""Best $\bar p_R$ found; keys (n, T, d'), values X (n, T, d), head v (d,), labels Y (n,)."""
    keys = np.asarray(keys, dtype=np.float64)
    if R <= 0 or keys.ndim != 3:
        raise InvalidInputError(f"need R > 0 and keys of shape (n, T, d'), got R = {R}, keys {keys.shape}")
    gamma = token_scores(X, v, Y)
    rng = np.random.default_rng(seed)
    starts = [(rng.normal(size=keys.shape[2]),) for _ in range(restarts)]
    if start is not None:
        starts.append((np.asarray(start, dtype=np.float64),))

    def gap(p):
        return float(loss_gap(keys, np.broadcast_to(p[0], keys.shape[::2]), gamma, loss))

    def grad(p):
        return (grad_p(keys, X, v, Y, p[0], loss)[1],)

    def project(p):
        return p if tuple_norm(p) <= R else scale_onto_sphere(p, R)

    return best_of([scale_onto_sphere(s, R) for s in starts], gap, grad, project, R, steps)[0]
