r"""Kernelized attention with a Toeplitz relative position encoding, by FFT in O(n log n) (Luo et al. 2021).

RPE softmax attention $z_i = \sum_j e^{q_i^\top k_j/\sqrt d + b_{j-i}} v_j / \sum_j e^{q_i^\top k_j/\sqrt d + b_{j-i}}$
becomes, with $e^{q^\top k/\sqrt d} \approx \phi(q)^\top \phi(k)$ and $c_k = e^{b_k}$ [src: 2106.12566 abstract;
Eq. 11-13 / Algorithm 1 locators unverified]:

.. math::
    z_i = \frac{\phi(q_i)^\top D^1_i}{\phi(q_i)^\top D^2_i}, \quad
    D^1_i = \sum_j c_{j-i}\, \phi(k_j) v_j^\top, \quad D^2_i = \sum_j c_{j-i}\, \phi(k_j).

Both are Toeplitz products $T(c) A$ with $T(c)_{ij} = c_{j-i}$, computed by embedding $T(c)$ in a circulant of
size $N \ge 2n - 1$ (:func:`circulant_size`, an FFT-friendly length) whose first column is
$(c_0, c_{-1}, \dots, c_{-(n-1)}, 0, \dots, 0, c_{n-1}, \dots, c_1)$, diagonalised by the FFT. URPE [derived,
spec C8] multiplies the numerator's coefficients by its C: numerator $T(e^{b} \odot C)$, denominator $T(e^b)$ —
two Toeplitz passes. A causal mask is $c_k = 0$ for $k > 0$. Tables use the package convention: entry
``[k + n - 1]`` holds offset $k = j - i$.

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
    "circulant_size",
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


def circulant_size(n: int) -> int:
    r"""Smallest FFT-friendly circulant size $N \ge 2n - 1$ (:func:`scipy.fft.next_fast_len`, real input)."""
    return fft.next_fast_len(max(2 * n - 1, 1), real=True)


def _toeplitz_rows_fft(c: np.ndarray, rows: np.ndarray, n: int, flip: bool, workers: int) -> np.ndarray:
    r"""$T(c)$ applied to every row of ``rows`` (k, N), each zero past column n; returns (k, N), first n valid."""
    N = rows.shape[-1]
    spectrum = fft.rfft(rows, axis=-1, workers=workers)
    spectrum *= fft.rfft(circulant_first_column(c, n, N, flip))
    return fft.irfft(spectrum, n=N, axis=-1, workers=workers, overwrite_x=True)


def toeplitz_matmul_fft(c: np.ndarray, A: np.ndarray, flip: bool = False, workers: int = 1) -> np.ndarray:
    r"""$Y = T(c) A$ via a circulant embedding of size $N$ = :func:`circulant_size` (n); O(N log N k) time.

    ``workers``: threads scipy.fft may use (over the k columns).
    """
    n = A.shape[0]
    c = _check_table(c, n)
    rows = np.zeros((A.shape[1], circulant_size(n)))
    rows[:, :n] = np.asarray(A, dtype=float).T  # FFT along contiguous rows, zero-padded in place
    return _toeplitz_rows_fft(c, rows, n, flip, workers)[:, :n].T


def kernelized_rpe_fft(phi_q, phi_k, V, c_num, c_den=None, flip: bool = False, workers: int = 1):
    r"""z, numerator and denominator by two Toeplitz passes: $T(c_{num})[\phi(K) \otimes V]$ and $T(c_{den})\phi(K)$.

    Plain RPE: ``c_num = c_den = exp(b)``. URPE: ``c_num = exp(b) * C``, ``c_den = exp(b)``.
    Shapes: phi_q, phi_k (n, m); V (n, dv); tables (2n-1,). Returns (z (n, dv), num (n, dv), den (n,)).
    ``workers``: threads scipy.fft may use.

    Both sums are linear in the features, so they are accumulated feature by feature:
    $\mathrm{num}_i = \sum_r \phi(q_i)_r\,[T(c_{num})(\phi(K)_{:r} \odot V)]_i$ and
    $\mathrm{den}_i = \sum_r \phi(q_i)_r\,[T(c_{den})\phi(K)_{:r}]_i$ (the denominator is the value channel
    $v \equiv 1$). Two features $r, s$ share one complex transform: the circulant $\Gamma$ is real, so
    $\Gamma(x + \mathrm{i} y) = \Gamma x + \mathrm{i}\,\Gamma y$ and the real and imaginary parts of one inverse FFT
    are the two features' products. Per pair: one batched complex FFT of $d_v + 1$ rows of length N, one product
    with the tables' spectra, one inverse FFT; $m (d_v + 1)$ real-signal transforms each way in all, as when every
    channel is transformed at once, but in a cache-sized $(d_v + 1) \times N$ workspace, with nothing of size
    $n m d_v$ materialised (on the 2-core development machine scipy's complex transforms of length 16384 also
    ran ~20% faster than twice as many real ones).
    """
    n, m = phi_k.shape
    dv = V.shape[1]
    N = circulant_size(n)
    spec_num = fft.fft(circulant_first_column(_check_table(c_num, n), n, N, flip))
    spec_den = (spec_num if c_den is None or c_den is c_num
                else fft.fft(circulant_first_column(_check_table(c_den, n), n, N, flip)))
    kT = np.zeros((m + m % 2, n))  # features as rows, one zero feature appended when m is odd
    qT = np.zeros((m + m % 2, n))
    kT[:m], qT[:m] = phi_k.T, phi_q.T
    VT = np.ascontiguousarray(V.T, dtype=float)
    rows = np.zeros((dv + 1, N), dtype=complex)  # phi(k)_r v + i phi(k)_s v, then phi(k)_r + i phi(k)_s; 0 past n
    acc = np.zeros((dv + 1, n))  # acc[:dv] = num^T, acc[dv] = den
    term = np.empty((dv + 1, n))
    for r in range(0, m, 2):
        s = r + 1
        np.multiply(kT[r], VT, out=rows.real[:dv, :n])
        np.multiply(kT[s], VT, out=rows.imag[:dv, :n])
        rows.real[dv, :n], rows.imag[dv, :n] = kT[r], kT[s]
        spectrum = fft.fft(rows, axis=-1, workers=workers)
        spectrum[:dv] *= spec_num
        spectrum[dv] *= spec_den
        Y = fft.ifft(spectrum, axis=-1, workers=workers, overwrite_x=True)
        acc += np.multiply(qT[r], Y.real[:, :n], out=term)
        acc += np.multiply(qT[s], Y.imag[:, :n], out=term)
    num, den = acc[:dv].T, acc[dv]
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
