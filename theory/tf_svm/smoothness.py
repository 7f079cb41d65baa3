r"""Smoothness of the TF-SVM loss in $W$: the Lipschitz constant $L_W$ of $\nabla\mathcal{L}$ and the step $1/L_W$.

For $\mathcal{L}(W) = \frac1n\sum_i \ell(Y_i v^\top X_i^\top \mathbb{S}(X_i W z_i))$ and a loss with
$|\ell''| \le M_0$, $|\ell'| \le M_1$ on the interval the margins $u_i$ can reach,

$$L_W = \frac1n \sum_{i=1}^n \Big(M_0\,\|v\|^2\|z_i\|^2\|X_i\|^4 + 3 M_1\,\|v\|\,\|z_i\|^2\|X_i\|^3\Big),$$

$\|X_i\|$ the spectral norm. The *form* is the one recalled for TF-SVM's gradient-Lipschitz lemma (arXiv:2308.16898;
its number and exact constants unverified: only the abstract was read). That it is an upper bound on
$\|\nabla^2\mathcal{L}\|$ is derived in ``proofs_checks/tf_svm/DERIVATIONS.md#lipschitz-w`` (two terms: $\ell''$ times
$(\|\gamma_i\|\,\|\mathbb{S}'\|\,\|X_i\|\|z_i\|)^2$, and $\ell'$ times the softmax's second derivative, $\le 3$ per unit).

The margins are convex combinations of scores, $u_i = \sum_t s_{it}\gamma_{it} \in [\min_t\gamma_{it}, \max_t\gamma_{it}]$,
so $M_0, M_1$ are suprema over $[\min\gamma, \max\gamma]$: logistic $M_0 = 1/4$, $M_1 = 1$ (global);
exponential $M_0 = M_1 = e^{-\min\gamma}$; correlation $M_0 = 0$, $M_1 = 1$.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_loss import Loss, get_loss
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores

__all__ = ["loss_constants", "lipschitz_w", "gd_step_size"]


def loss_constants(loss: str | Loss, u_lo: float, u_hi: float) -> tuple[float, float]:
    r"""$(M_0, M_1) = (\sup|\ell''|, \sup|\ell'|)$ over $u \in [u_{lo}, u_{hi}]$ for the named losses."""
    name = get_loss(loss).name
    if u_lo > u_hi:
        raise InvalidInputError(f"need u_lo <= u_hi, got [{u_lo}, {u_hi}]")
    if name == "logistic":
        return 0.25, 1.0
    if name == "exponential":
        m = float(np.exp(-u_lo))
        return m, m
    if name == "correlation":
        return 0.0, 1.0
    raise InvalidInputError(f"no smoothness constants for loss {name!r}")


def lipschitz_w(X, Z, v, Y, loss: str | Loss = "logistic") -> float:
    r"""$L_W$ of the module docstring for tokens $X$ (n, T, d), queries $Z$ (n, d), head $v$, labels $Y$."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    g = token_scores(X, v, Y)
    m0, m1 = loss_constants(loss, float(g.min()), float(g.max()))
    xs = np.linalg.norm(X, ord=2, axis=(1, 2))  # spectral norms ||X_i||
    zs = np.linalg.norm(Z, axis=1)
    vn = float(np.linalg.norm(v))
    return float(np.mean(m0 * vn**2 * zs**2 * xs**4 + 3.0 * m1 * vn * zs**2 * xs**3))


def gd_step_size(X, Z, v, Y, loss: str | Loss = "logistic") -> float:
    r"""The largest step the global-convergence theorem allows, $\eta = 1/L_W$."""
    return 1.0 / lipschitz_w(X, Z, v, Y, loss)
