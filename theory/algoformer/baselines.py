r"""Direct (non-transformer) algorithms for least squares, batched over leading axes, float64.

Least squares :math:`L(W) = \frac1{2n}\|Z W^\top - Y\|_F^2` with :math:`Z \in \mathbb{R}^{n \times D}` (rows are
examples) and :math:`Y \in \mathbb{R}^{n}` (single output, w a vector) or :math:`\mathbb{R}^{n \times k}`;
:math:`S = Z^\top Z / n`, :math:`b = Z^\top Y / n`. Spec ``algoformer.md`` §2.2:

* GD: :math:`W_{t+1} = W_t + \frac\eta n (Y - Z W_t^\top)^\top Z`, :math:`W_0 = 0`;
* Newton–Schulz: :math:`M_{k+1} = 2M_k - M_k S M_k`, :math:`M_0 = \alpha I`, :math:`w = M_k b`;
* conjugate gradient on :math:`S w = b` from 0 (optimal among degree-T Krylov polynomials in the S-norm);
* Chebyshev iteration on :math:`S w = b` with spectrum bounds :math:`[\lambda_{lo}, \lambda_{hi}]`;
* ridge :math:`(Z^\top Z + \lambda I)^{-1} Z^\top Y` and the minimum-norm OLS :math:`Z^+ Y`.

Each ``*_iterates`` returns every iterate, stacked on a new leading axis of length T + 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["moments", "gd_iterates", "newton_schulz_iterates", "cg_iterates", "chebyshev_iterates",
           "ridge", "ols", "eigen_range"]


def _t(A: np.ndarray) -> np.ndarray:
    return np.swapaxes(A, -1, -2)


def moments(Z: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`S = Z^T Z / n` (..., D, D) and :math:`b = Z^T Y / n` (..., D) or (..., D, k)."""
    n = Z.shape[-2]
    S = _t(Z) @ Z / n
    b = (_t(Z) @ Y[..., None])[..., 0] / n if Y.ndim == Z.ndim - 1 else _t(Z) @ Y / n
    return S, b


def eigen_range(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ev = np.linalg.eigvalsh(S)
    return ev[..., 0], ev[..., -1]


def gd_iterates(Z, Y, eta, T: int) -> np.ndarray:
    r"""W_t for t = 0..T; shape (T+1, ..., D) for vector Y, (T+1, ..., k, D) for matrix Y."""
    Z = np.asarray(Z, float)
    Y = np.asarray(Y, float)
    vec = Y.ndim == Z.ndim - 1
    Ym = Y[..., None] if vec else Y
    n = Z.shape[-2]
    eta = np.asarray(eta, float)[..., None, None]
    W = np.zeros((*Z.shape[:-2], Ym.shape[-1], Z.shape[-1]))
    out = [W]
    for _ in range(T):
        R = Ym - Z @ _t(W)  # (..., n, k) residuals
        W = W + (eta / n) * (_t(R) @ Z)
        out.append(W)
    out = np.stack(out)
    return out[..., 0, :] if vec else out


def newton_schulz_iterates(S, alpha, T: int) -> np.ndarray:
    """M_k for k = 0..T, shape (T+1, ..., D, D)."""
    S = np.asarray(S, float)
    M = np.asarray(alpha, float)[..., None, None] * np.broadcast_to(np.eye(S.shape[-1]), S.shape)
    out = [M]
    for _ in range(T):
        M = 2 * M - M @ S @ M
        out.append(M)
    return np.stack(out)


#: CG stops (holds its iterate) once ||r|| <= _CG_STOP * eps * ||b||: below that the residual is rounding noise,
#: and continuing divides it by a tiny p^T S p (measured: a 1e-7 relative error after a one-step convergence)
_CG_STOP = 64.0


def cg_iterates(S, b, T: int) -> np.ndarray:
    """Conjugate gradient on S w = b from w_0 = 0; w_t for t = 0..T, shape (T+1, ..., D).

    After convergence to rounding (residual at most ``_CG_STOP`` eps relative, e.g. T >= rank, or one
    step when S has a single distinct non-zero eigenvalue) the iterate is held fixed.
    """
    S = np.asarray(S, float)
    b = np.asarray(b, float)
    w = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rr = np.sum(r * r, axis=-1)
    scale = np.maximum(np.sum(b * b, axis=-1), np.finfo(float).tiny)
    out = [w]
    for _ in range(T):
        Sp = (S @ p[..., None])[..., 0]
        pSp = np.sum(p * Sp, axis=-1)
        live = rr > (_CG_STOP * np.finfo(float).eps) ** 2 * scale
        a = np.where(live, rr / np.where(live, pSp, 1.0), 0.0)
        w = w + a[..., None] * p
        r = r - a[..., None] * Sp
        rr_new = np.sum(r * r, axis=-1)
        beta = np.where(live, rr_new / np.where(live, rr, 1.0), 0.0)
        p = r + beta[..., None] * p
        rr = rr_new
        out.append(w)
    return np.stack(out)


def chebyshev_iterates(S, b, T: int, lam_lo, lam_hi) -> np.ndarray:
    r"""Chebyshev iteration (Saad, Alg. 12.1) on S w = b from 0, spectrum in :math:`[\lambda_{lo}, \lambda_{hi}]`."""
    S = np.asarray(S, float)
    b = np.asarray(b, float)
    theta = (np.asarray(lam_hi) + np.asarray(lam_lo)) / 2.0
    delta = (np.asarray(lam_hi) - np.asarray(lam_lo)) / 2.0
    sigma = theta / delta
    rho = 1.0 / sigma
    w = np.zeros_like(b)
    r = b.copy()
    dvec = r / np.asarray(theta)[..., None]
    out = [w]
    for _ in range(T):
        w = w + dvec
        r = r - (S @ dvec[..., None])[..., 0]
        rho_new = 1.0 / (2.0 * sigma - rho)
        dvec = (rho_new * rho)[..., None] * dvec + (2.0 * rho_new / delta)[..., None] * r
        rho = rho_new
        out.append(w)
    return np.stack(out)


def ridge(Z, Y, lam) -> np.ndarray:
    Z = np.asarray(Z, float)
    A = _t(Z) @ Z + np.asarray(lam, float)[..., None, None] * np.eye(Z.shape[-1])
    rhs = _t(Z) @ (np.asarray(Y, float)[..., None])
    return np.linalg.solve(A, rhs)[..., 0]


def ols(Z, Y) -> np.ndarray:
    """Minimum-norm least squares :math:`Z^+ Y` (the GD limit, also for n < D)."""
    return (np.linalg.pinv(np.asarray(Z, float)) @ np.asarray(Y, float)[..., None])[..., 0]
