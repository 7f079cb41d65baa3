r"""The $(K, Q)$ regularisation path computed on the factors themselves, including inner width $m < d$.

$$(\bar K_R, \bar Q_R) \in \arg\min\{\mathcal{L}(KQ^\top) : \|K\|_F^2 + \|Q\|_F^2 \le 2R\},\qquad
K, Q \in \mathbb{R}^{d \times m}.$$

Unlike :func:`attnlab.theory.tf_svm.attention_regpath.regularization_path_point` (``norm="nuc"``), which uses the
variational identity to replace the factors by the nuclear ball, this solver never forms the ball: it runs
projected gradient (:mod:`attnlab.theory.tf_svm.ball_descent`) on the factor pair, so the rank bound
$\mathrm{rank}(KQ^\top) \le m$ is the factors' own. Gradients by the chain rule for $W = KQ^\top$:
$\nabla_K = G Q$, $\nabla_Q = G^\top K$ with $G = \nabla_W \mathcal{L}$; the projection onto the pair's ball is
a radial scaling. Several random balanced starts, the best kept (non-convex).

Paper notation: K-bar_R, Q-bar_R and the (K, Q) path of TF-SVM (arXiv 2308.16898, abstract point (1): "with
vanishing regularization"; the theorem's number and exact hypotheses unverified). ``factor_grads`` is a parameter so
that a claim's negative control can plant a wrong chain rule.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import Loss, loss_gap
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores
from attnlab.theory.tf_svm.ball_descent import best_of, scale_onto_sphere, tuple_norm

__all__ = ["chain_rule_kq", "kq_path_point"]


def chain_rule_kq(G: np.ndarray, K: np.ndarray, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""$(\nabla_K, \nabla_Q) = (G Q,\ G^\top K)$ for $\mathcal{L}(KQ^\top)$ with $G = \nabla_W\mathcal{L}$."""
    return G @ Q, G.T @ K


def kq_path_point(X, Z, v, Y, R: float, m: int, restarts: int = 4, steps: int = 400, seed: int = 0,
                  loss: str | Loss = "logistic", start: tuple[np.ndarray, np.ndarray] | None = None,
                  factor_grads: Callable = chain_rule_kq) -> tuple[np.ndarray, np.ndarray]:
    r"""Best $(\bar K_R, \bar Q_R)$ found from ``restarts`` balanced Gaussian pairs plus ``start`` (e.g. the previous
    point of a continuation along $R$), each scaled onto the boundary $\|K\|_F^2 + \|Q\|_F^2 = 2R$.

    Args:
        X, Z, v, Y: the instance (n, T, d), (n, d), (d,), (n,).
        R: radius; $\|K\|_F^2 + \|Q\|_F^2 \le 2R$ implies $\|KQ^\top\|_* \le R$.
        m: inner width of the factors, $1 \le m \le d$.

    Returns:
        ``(K, Q)``, each (d, m).
    """
    X, Z, v, Y = check_instance(X, Z, v, Y)
    d = X.shape[2]
    if R <= 0 or not 1 <= m <= d:
        raise InvalidInputError(f"need R > 0 and 1 <= m <= d = {d}, got R = {R}, m = {m}")
    gamma = token_scores(X, v, Y)
    cap = float(np.sqrt(2.0 * R))
    rng = np.random.default_rng(seed)
    starts = [(rng.normal(size=(d, m)), rng.normal(size=(d, m))) for _ in range(restarts)]
    if start is not None:
        starts.append(tuple(np.asarray(a, dtype=np.float64) for a in start))

    def gap(kq):
        return float(loss_gap(X, Z @ (kq[0] @ kq[1].T).T, gamma, loss))

    def grad(kq):
        return factor_grads(grad_w(X, Z, v, Y, kq[0] @ kq[1].T, loss)[1], *kq)

    def project(kq):
        return kq if tuple_norm(kq) <= cap else scale_onto_sphere(kq, cap)

    return best_of([scale_onto_sphere(s, cap) for s in starts], gap, grad, project, cap, steps)
