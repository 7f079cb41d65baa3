r"""A scale-free measure of stationarity for $\mathcal L(W)$ and its derived lower bound
(``DERIVATIONS.md#no-finite-stationary-point``).

The gradient is $\nabla\mathcal L(W) = \sum_i g_i z_i^\top$ with
$g_i = \tfrac1n\ell'(u_i)\sum_{t} c_{it}(x_{it} - x_{ir_i})$, $c_{it} = s_{it}(\gamma_{it} - u_i)$,
$u_i = \sum_t s_{it}\gamma_{it}$ and $r_i = \arg\max_t s_{it}$. Its *absolute scale*
$$S(W) = \tfrac1n\textstyle\sum_i |\ell'(u_i)|\,\|z_i\|\sum_t |c_{it}|\,\|x_{it} - x_{ir_i}\|$$
is the size the terms would have without cancellation; $\rho(W) = \|\nabla\mathcal L(W)\|_F / S(W) \in [0, 1]$
is unchanged when every probability shrinks together (it stays $O(1)$ far beyond softmax saturation), and is 0 at
a stationary point. With independent queries and affinely independent tokens
$$\rho(W) \;\ge\; \rho_{lb} = \frac{\sigma_n(Z)}{\sqrt n\,\max_i\|z_i\|}\;\min_i \kappa_i,\qquad
\kappa_i = \min_r \frac{\sigma_{\min}(D_i^r)}{\sqrt{T-1}\,\max_{t}\|x_{it} - x_{ir}\|},$$
$D_i^r$ the $d\times(T-1)$ matrix of columns $x_{it} - x_{ir}$, $t\ne r$, at every finite $W$.

$\|\nabla\mathcal L\|$ comes from the package (:func:`~attnlab.theory.tf_svm.attention_gd.grad_w`); $S$ is computed
here from a plain log-softmax, so the ratio compares package code with an independent evaluation.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._lazy import lazy_function
from attnlab.theory.tf_svm.attention_gd import grad_w

log_softmax = lazy_function("scipy.special", "log_softmax")
expit = lazy_function("scipy.special", "expit")

__all__ = ["MAX_LOGIT_GAP", "SATURATION_GAP", "region_radius", "rho_lower_bound", "gradient_ratio", "min_ratio"]

#: largest logit gap the search region allows: e^-600 ~ 1e-261 is far above float64's subnormal range (~1e-308),
#: so every probability, and every term of S(W), stays a normal number with full relative precision
MAX_LOGIT_GAP = 600.0
#: logit gap at which softmax saturates in float64 (1 - max s < eps): log(2 / eps) ~ 36.7
SATURATION_GAP = float(np.log(2.0 / np.finfo(np.float64).eps))


def region_radius(X: np.ndarray, Z: np.ndarray, gap: float = MAX_LOGIT_GAP) -> float:
    r"""$R$ such that $\|W\|_F \le R$ keeps every logit gap $|(x_{it} - x_{i\tau})^\top W z_i| \le$ ``gap``."""
    spread = max(float(np.linalg.norm(X[i][:, None] - X[i][None], axis=-1).max()) for i in range(X.shape[0]))
    return gap / (spread * float(np.linalg.norm(Z, axis=1).max()))


def rho_lower_bound(X: np.ndarray, Z: np.ndarray, orthogonal_queries: bool = False) -> float:
    r"""$\rho_{lb}$ above. ``orthogonal_queries`` is a planted bug for the negative control: $\sigma_n(Z)$ replaced by
    $\min_i\|z_i\|$, as if the queries were orthogonal (it drops the over-parameterisation hypothesis)."""
    n, T, _ = X.shape
    zn = np.linalg.norm(Z, axis=1)
    sv = np.linalg.svd(Z, compute_uv=False)
    sig = float(zn.min()) if orthogonal_queries else (float(sv[n - 1]) if n <= sv.size else 0.0)
    kappa = np.inf
    for i in range(n):
        for r in range(T):
            D = np.delete(X[i] - X[i, r], r, axis=0)  # (T-1, d): rows x_t - x_r
            smin = np.linalg.svd(D, compute_uv=False)[-1] if D.shape[0] <= D.shape[1] else 0.0
            kappa = min(kappa, smin / (np.sqrt(T - 1) * np.linalg.norm(D, axis=1).max()))
    return sig / (np.sqrt(n) * float(zn.max())) * float(kappa)


def gradient_ratio(inst, W: np.ndarray) -> np.ndarray:
    r"""$\rho(W)$ for a batch ``W`` (B, d, d) (logistic loss); $\|\nabla\mathcal L\|$ from the package."""
    X, Z, v, Y = inst.X, inst.Z, inst.v, inst.Y
    _, G, _ = grad_w(X, Z, v, Y, W)
    logits = np.einsum("ntd,bde,ne->bnt", X, W, Z)
    s = np.exp(log_softmax(logits, axis=-1))
    gamma = Y[:, None] * (X @ v)  # (n, T), written out (not the package's token_scores)
    u = np.einsum("bnt,nt->bn", s, gamma)
    c = s * (gamma[None] - u[..., None])
    r = np.argmax(s, axis=-1)  # (B, n)
    dist = np.linalg.norm(X[None, :, :, :] - np.take_along_axis(X[None], r[..., None, None], axis=2), axis=-1)
    dl = expit(-u)  # |l'(u)| of the logistic loss
    S = np.einsum("bn,n,bn->b", dl, np.linalg.norm(Z, axis=1), np.einsum("bnt,bnt->bn", np.abs(c), dist)) / X.shape[0]
    return _scaled_norm(G.reshape(G.shape[0], -1)) / S


def _scaled_norm(A: np.ndarray) -> np.ndarray:
    """Row norms computed after dividing by the row's largest entry: entries ~1e-261 (gaps near 600) would
    underflow when squared (``np.linalg.norm`` returns 0 for them)."""
    m = np.max(np.abs(A), axis=1)
    safe = np.where(m > 0, m, 1.0)
    return m * np.linalg.norm(A / safe[:, None], axis=1)


def min_ratio(inst, seed: int, directions: list[np.ndarray], radii: np.ndarray, draws: int = 96,
              rounds: int = 12) -> tuple[float, float]:
    r"""Smallest $\rho$ found on the spheres $\|W\|_F = R$, $R \in$ ``radii`` (0 included: $W = 0$), from ``draws``
    random directions plus ``directions`` (e.g. $W^{mm}_\alpha$) per radius, then ``rounds`` of batched random
    local search around the 8 best points (perturbations shrinking from 0.3 to 0.003 of the radius, projected back
    onto their sphere). Returns (min rho, the radius where it was found)."""
    d = inst.shape[2]
    rng = np.random.default_rng(seed)
    dirs = [rng.normal(size=(draws, d, d))] + [D[None] for D in directions]
    U = np.concatenate(dirs)
    U /= np.linalg.norm(U.reshape(U.shape[0], -1), axis=1)[:, None, None]
    W = (radii[:, None, None, None] * U[None]).reshape(-1, d, d)
    rad = np.repeat(radii, U.shape[0])
    rho = gradient_ratio(inst, W)
    for step in np.geomspace(0.3, 0.003, rounds):
        best = np.argsort(rho)[:8]
        cand = W[best][:, None] + step * rad[best][:, None, None, None] * rng.normal(size=(8, 12, d, d)) / d
        cand = cand.reshape(-1, d, d)
        crad = np.repeat(rad[best], 12)
        norms = np.linalg.norm(cand.reshape(cand.shape[0], -1), axis=1)
        cand *= np.where(norms > 0, crad / np.where(norms > 0, norms, 1.0), 0.0)[:, None, None]
        W, rad, rho = np.concatenate([W, cand]), np.concatenate([rad, crad]), np.concatenate([rho, gradient_ratio(inst, cand)])
    k = int(np.argmin(rho))
    return float(rho[k]), float(rad[k])
