r"""Regularisation path $\bar W_R = \arg\min_{\|W\|_\diamond \le R} \mathcal{L}(W)$, Frobenius or nuclear ball.

By the variational identity $\min\{\tfrac12(\|K\|_F^2 + \|Q\|_F^2) : KQ^\top = W\} = \|W\|_*$ (for $m \ge
\mathrm{rank}\,W$), the $(K, Q)$ path over $\|K\|_F^2 + \|Q\|_F^2 \le 2R$ is the nuclear-ball path, so
``norm="nuc"`` computes $\bar K_R \bar Q_R^\top$ without factors. Non-convex: projected gradient with
backtracking (:func:`attnlab.theory.tf_svm.ball_descent.best_of`) from several random starts, best kept. Objective values are compared
through :func:`attnlab.theory.tf_svm.attention_loss.loss_gap` ($\mathcal{L} - \mathcal{L}^\star$, no cancellation) so that the
line search still sees progress when $\mathcal{L} - \mathcal{L}^\star \sim 10^{-13}$.

Paper notation: W-bar_R, K-bar_R, Q-bar_R of TF-SVM (arXiv 2308.16898 v3, section 2.4; unverified locator).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import Loss, loss_gap
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores
from attnlab.theory.tf_svm.ball_descent import best_of

__all__ = ["project_norm_ball", "regularization_path_point"]


def _project_l1_ball(x: np.ndarray, R: float) -> np.ndarray:
    """Euclidean projection of a non-negative vector onto {y >= 0 : sum y <= R} (Duchi et al. 2008)."""
    if x.sum() <= R:
        return x
    u = np.sort(x)[::-1]
    css = np.cumsum(u)
    k = np.nonzero(u * np.arange(1, x.size + 1) > (css - R))[0][-1]
    theta = (css[k] - R) / (k + 1.0)
    return np.maximum(x - theta, 0.0)


def project_norm_ball(W: np.ndarray, R: float, norm: str) -> np.ndarray:
    r"""Projection onto $\{\|W\|_F \le R\}$ or $\{\|W\|_* \le R\}$ (SVD, then singular values onto the $\ell_1$ ball)."""
    if norm == "fro":
        f = float(np.linalg.norm(W))
        return W if f <= R else W * (R / f)
    if norm == "nuc":
        U, sv, Vt = np.linalg.svd(W, full_matrices=False)
        return (U * _project_l1_ball(sv, R)) @ Vt
    raise InvalidInputError(f"norm must be 'fro' or 'nuc', got {norm!r}")


def _gap(X, Z, gamma, W, loss) -> float:
    return float(loss_gap(X, Z @ W.T, gamma, loss))


def regularization_path_point(X, Z, v, Y, R: float, norm: str = "fro", restarts: int = 8, steps: int = 300,
                              seed: int = 0, loss: str | Loss = "logistic", W_init=None) -> np.ndarray:
    r"""Best $\bar W_R$ found by projected gradient with backtracking from ``restarts`` random starts on the sphere
    of radius R (plus ``W_init`` scaled onto it, when given)."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    if R <= 0:
        raise InvalidInputError(f"R must be positive, got {R}")
    d = X.shape[2]
    gamma = token_scores(X, v, Y)
    rng = np.random.default_rng(seed)
    starts = [rng.normal(size=(d, d)) for _ in range(restarts)]
    if W_init is not None:
        starts.append(np.asarray(W_init, dtype=np.float64))
    starts = [W0 * (R / max(float(np.linalg.norm(W0)), 1e-300)) for W0 in starts]
    (best,) = best_of([(W0,) for W0 in starts], gap=lambda th: _gap(X, Z, gamma, th[0], loss),
                      grad=lambda th: (grad_w(X, Z, v, Y, th[0], loss)[1],),
                      project=lambda th: (project_norm_ball(th[0], R, norm),), t0=R, steps=steps)
    return best
