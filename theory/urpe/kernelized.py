r"""Kernelized attention with a Toeplitz relative position encoding, by FFT in O(n log n) (Luo et al. 2021).

RPE softmax attention $z_i = \sum_j e^{q_i^\top k_j/\sqrt d + b_{j-i}} v_j / \sum_j e^{q_i^\top k_j/\sqrt d + b_{j-i}}$
becomes, with $e^{q^\top k/\sqrt d} \approx \phi(q)^\top \phi(k)$ and $c_k = e^{b_k}$ [src: 2106.12566 abstract;
Eq. 11-13 / Algorithm 1 locators unverified]:

.. math::
    z_i = \frac{\phi(q_i)^\top D^1_i}{\phi(q_i)^\top D^2_i}, \quad
    D^1_i = \sum_j c_{j-i}\, \phi(k_j) v_j^\top, \quad D^2_i = \sum_j c_{j-i}\, \phi(k_j).

Both are Toeplitz products $T(c) A$ with $T(c)_{ij} = c_{j-i}$, computed by embedding $T(c)$ in a circulant of
size $N \ge 2n - 1$ (a power of two) whose first column is $(c_0, c_{-1}, \dots, c_{-(n-1)}, 0, \dots, 0, c_{n-1},
\dots, c_1)$, diagonalised by the real FFT. URPE [derived, spec C8] multiplies the numerator's coefficients by
its C: numerator $T(e^{b} \odot C)$, denominator $T(e^b)$ — two Toeplitz passes. A causal mask is $c_k = 0$ for
$k > 0$. Tables use the package convention: entry ``[k + n - 1]`` holds offset $k = j - i$.

Errors: the FFT error is *absolute*, about eps log N times $\max_i \sum_j |c_{j-i}|\,|a_j|$, not relative to
each output, so outputs much smaller than that scale lose relative accuracy (spec pitfall 9);
:func:`guard_mask` marks the outputs where a relative comparison is meaningful.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._lazy import lazy_module
from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError

fft = lazy_module("scipy.fft")

__all__ = [
    "positive_random_features",
    "toeplitz_matmul_naive",
    "toeplitz_matmul_fft",
    "circulant_first_column",
    "kernelized_rpe_naive",
    "kernelized_rpe_fft",
    "toeplitz_abs_scale",
    "guard_mask",
]


def positive_random_features(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    r"""$\phi(x) = m^{-1/2} \exp(W x - \|x\|^2/2)$ (Choromanski et al.); $X$ (n, d) already scaled by $d^{-1/4}$."""
    return np.exp(X @ W.T - 0.5 * np.sum(X * X, axis=1, keepdims=True)) / np.sqrt(W.shape[0])


def _check_table(c: np.ndarray, n: int) -> np.ndarray:
    c = as_float_array("c", c, ndim=1)
    if c.shape[0] != 2 * n - 1:
        raise InvalidInputError(f"Toeplitz table must have 2n-1 = {2 * n - 1} entries for n = {n}, got {c.shape[0]}")
    return c


def toeplitz_matmul_naive(c: np.ndarray, A: np.ndarray, block: int = 1024) -> np.ndarray:
    r"""$Y_i = \sum_j c_{j-i} A_j$ by forming $T(c)$ in row blocks; O(n^2 k) time for A in (n, k)."""
    n = A.shape[0]
    c = _check_table(c, n)
    out = np.empty_like(A, dtype=float)
    j = np.arange(n)
    for s in range(0, n, block):
        i = np.arange(s, min(s + block, n))
        out[i] = c[j[None, :] - i[:, None] + n - 1] @ A
    return out


def circulant_first_column(c: np.ndarray, n: int, N: int, flip: bool = False) -> np.ndarray:
    r"""First column $\gamma$ of the N-circulant containing $T(c)$: $\gamma_r = c_{-r}$, $\gamma_{N-s} = c_s$.

    ``flip`` builds $\gamma_r = c_{r}$ instead (offset $i - j$ for $j - i$): the convention bug of spec
    pitfall 10, kept for negative controls.
    """
    col = np.zeros(N)
    r = np.arange(n)
    if flip:
        col[r] = c[r + n - 1]
        col[N - r[1:]] = c[n - 1 - r[1:]]
    else:
        col[r] = c[n - 1 - r]
        col[N - r[1:]] = c[r[1:] + n - 1]
    return col


def toeplitz_matmul_fft(c: np.ndarray, A: np.ndarray, flip: bool = False) -> np.ndarray:
    r"""$Y = T(c) A$ via a circulant embedding of size $N = 2^{\lceil \log_2(2n-1) \rceil}$; O(N log N k) time."""
    n = A.shape[0]
    c = _check_table(c, n)
    N = 1 << int(np.ceil(np.log2(max(2 * n - 1, 1))))
    col = circulant_first_column(c, n, N, flip)
    At = np.ascontiguousarray(np.asarray(A, dtype=float).T)  # FFT along contiguous rows: ~10x faster than axis 0
    Y = fft.irfft(fft.rfft(col)[None, :] * fft.rfft(At, n=N, axis=-1), n=N, axis=-1)
    return Y[:, :n].T


def _flat_outer(phi_k: np.ndarray, V: np.ndarray) -> np.ndarray:
    return (phi_k[:, :, None] * V[:, None, :]).reshape(phi_k.shape[0], -1)  # rows vec(phi(k_j) v_j^T)


def kernelized_rpe_fft(phi_q, phi_k, V, c_num, c_den=None, flip: bool = False):
    r"""z, numerator and denominator by two Toeplitz passes: $T(c_{num})[\phi(K) \otimes V]$ and $T(c_{den})\phi(K)$.

    Plain RPE: ``c_num = c_den = exp(b)``. URPE: ``c_num = exp(b) * C``, ``c_den = exp(b)``.
    Shapes: phi_q, phi_k (n, m); V (n, dv); tables (2n-1,). Returns (z (n, dv), num (n, dv), den (n,)).
    """
    c_den = c_num if c_den is None else c_den
    n, m = phi_k.shape
    D1 = toeplitz_matmul_fft(c_num, _flat_outer(phi_k, V), flip).reshape(n, m, V.shape[1])
    D2 = toeplitz_matmul_fft(c_den, phi_k, flip)
    num = np.einsum("im,imv->iv", phi_q, D1)
    den = np.einsum("im,im->i", phi_q, D2)
    return num / den[:, None], num, den


def kernelized_rpe_naive(phi_q, phi_k, V, c_num, c_den=None, block: int = 1024):
    r"""The O(n^2) reference: $A_{ij} = \phi(q_i)^\top\phi(k_j)$, $z = (A \odot T(c_{num})) V / (A \odot T(c_{den})) 1$."""
    c_den = c_num if c_den is None else c_den
    n = phi_q.shape[0]
    _check_table(c_num, n), _check_table(c_den, n)
    num = np.empty((n, V.shape[1]))
    den = np.empty(n)
    j = np.arange(n)
    for s in range(0, n, block):
        i = np.arange(s, min(s + block, n))
        A = phi_q[i] @ phi_k.T
        idx = j[None, :] - i[:, None] + n - 1
        num[i] = (A * c_num[idx]) @ V
        den[i] = np.sum(A * c_den[idx], axis=1)
    return num / den[:, None], num, den


def toeplitz_abs_scale(c: np.ndarray, A: np.ndarray) -> float:
    r"""$\max_{i} \sum_j |c_{j-i}|\,\|A_j\|_\infty$ via the FFT of |c| and |A| (the scale of the FFT's absolute error)."""
    a = np.max(np.abs(A), axis=1, keepdims=True)
    return float(np.max(np.abs(toeplitz_matmul_fft(np.abs(c), a))))


def guard_mask(true_values: np.ndarray, scale: float, ratio: float = 1e-3) -> np.ndarray:
    r"""Outputs with $|y| \ge$ ``ratio`` $\cdot$ scale: there an absolute FFT error ~eps log N scale is a relative
    error below ~$10^{3}\,$eps log N, so a 1e-12 relative comparison is meaningful (spec pitfall 9)."""
    return np.abs(true_values) >= ratio * scale
