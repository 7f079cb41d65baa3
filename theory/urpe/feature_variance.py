r"""Variance of the positive-random-feature estimate of $e^{q^\top k}$, with and without q/k normalisation.

The kernelized-RPE paper (Luo et al. 2021, "Stable, Fast and Accurate") says vanilla kernelized attention is
unstable in pre-training and L2-normalises queries and keys [unverified: only the abstract of arXiv:2106.12566v2
was read; the mechanism below is ours, spec C9]. With $\phi(x) = m^{-1/2}\exp(Wx - \|x\|^2/2)$, rows $w_r$ of W
i.i.d. $N(0, I_d)$ (:func:`.kernelized.positive_random_features`), one feature gives
$Y = e^{w^\top(q + k) - (\|q\|^2 + \|k\|^2)/2}$, and since $w^\top(q+k) \sim N(0, \|q+k\|^2)$:

.. math::
    \mathbb{E}Y = e^{q^\top k}, \qquad
    \frac{\mathrm{Var}\,\phi(q)^\top\phi(k)}{(\mathbb{E}\,\phi(q)^\top\phi(k))^2} = \frac{e^{\|q+k\|^2} - 1}{m}.

Unnormalised, the relative variance grows like $e^{\|q+k\|^2}$ without bound; for unit q, k,
$\|q + k\|^2 = 2 + 2\cos\theta \le 4$, so it is at most $(e^4 - 1)/m$, with equality at $k = q$ [derived].

:func:`prf_moments` computes the mean and relative variance *through* :func:`positive_random_features` by
Gauss-Hermite quadrature over the only direction that matters, $u = (q + k)/\|q + k\|$ (features $w = s\,u$ at
the nodes s), so a wrong feature map shows up as a biased mean or a variance off the closed form.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.urpe.kernelized import positive_random_features

__all__ = ["l2_normalise", "prf_moments", "prf_relative_variance", "NORMALISED_RELATIVE_VARIANCE_BOUND",
           "normalised_attention"]

#: $e^4 - 1$: m times the largest relative variance for unit q, k.
NORMALISED_RELATIVE_VARIANCE_BOUND = float(np.expm1(4.0))


def l2_normalise(x: np.ndarray) -> np.ndarray:
    r"""$x / \|x\|_2$ along the last axis (the paper's query/key normalisation, its exact form unverified)."""
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def normalised_attention(Q: np.ndarray, K: np.ndarray, tau: float, B: np.ndarray | None = None,
                         normalise: bool = True) -> np.ndarray:
    r"""Rows $\mathrm{softmax}_j(\tau\,\hat q_i^\top \hat k_j + B_{ij})$ with $\hat q = q/\|q\|$, $\hat k = k/\|k\|$.

    Logits lie in $[-\tau, \tau]$ without B, so $\max_j\alpha_{ij}/\min_j\alpha_{ij} \le e^{2\tau}$: every weight is
    within $e^{\pm 2\tau}$ of $1/n$ (near uniform for $\tau \approx 1$); a position bias of range R allows
    $e^{2\tau + R}$ [derived, spec C9]. ``normalise=False`` uses the raw q, k (vanilla attention).
    """
    if normalise:
        Q, K = l2_normalise(Q), l2_normalise(K)
    L = tau * Q @ K.T + (0.0 if B is None else B)
    L = L - L.max(axis=1, keepdims=True)
    E = np.exp(L)
    return E / E.sum(axis=1, keepdims=True)


def prf_relative_variance(q: np.ndarray, k: np.ndarray, m: int) -> float:
    r"""Closed form $(e^{\|q+k\|^2} - 1)/m$ of the m-feature estimator's relative variance."""
    return float(np.expm1(np.sum((q + k) ** 2)) / m)


def prf_moments(q: np.ndarray, k: np.ndarray, m: int, nodes: int = 120) -> tuple[float, float]:
    r"""(mean, relative variance) of $\phi(q)^\top\phi(k)$ with m i.i.d. Gaussian features, by quadrature.

    $Y(s) = K\,\phi_s(q)\phi_s(k)$ for the single feature $w = s\,u$ ($K$ = number of nodes, undoing
    $\phi$'s $K^{-1/2}$ per side); $\mathbb{E}Y = \sum_s \omega_s Y(s)$ with probabilists' Gauss-Hermite weights
    $\omega_s$ normalised to sum 1, and the m-feature average has variance $\mathrm{Var}\,Y / m$.
    """
    s, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    direction = q + k
    norm = np.linalg.norm(direction)
    u = direction / norm if norm > 0 else np.zeros_like(q)
    W = s[:, None] * u[None, :]  # one feature per node
    Y = nodes * positive_random_features(q[None, :], W)[0] * positive_random_features(k[None, :], W)[0]
    mean = float(w @ Y)
    second = float(w @ Y**2)
    return mean, (second - mean**2) / (m * mean**2)
