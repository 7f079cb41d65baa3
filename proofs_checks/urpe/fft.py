r"""Kernelized RPE / URPE attention: the FFT path equals the naive O(n^2) path (spec C7, C8; pitfalls 9, 10).

*Toeplitz product.* $Y = T(c)A$ by circulant embedding agrees with the naive sum to ``TOL.fft`` *absolutely*:
$|\Delta Y| \le 10^{-12} S$, $S = \max_i \sum_j |c_{j-i}|\,\|A_j\|_\infty$ (the FFT error does not scale with
each output). Checked for signed, asymmetric tables with dynamic range up to $e^{80}$ and causal masks.

*Attention outputs, with the dynamic-range guard.* $z_i = \phi(q_i)^\top D^1_i / \phi(q_i)^\top D^2_i$. An absolute
error $\epsilon S_{den}$ in $D^2$ perturbs $z_i$ relatively by about $\kappa_i \epsilon$, with the row's
dynamic-range factor $\kappa_i = \|\phi(q_i)\|_1 S_{den} / \mathrm{den}_i \ge 1$. We compare
$|\Delta z_i| \le 10^{-12}\,\kappa_i \max_j\|v_j\|_\infty \max_k |C_k|$ only on *guarded* rows,
$\kappa_i \le 10^{2}$ (``KAPPA_GUARD``); rows beyond it are counted in ``details`` and not compared, and an
instance with no guarded row is not applicable. With ALiBi-like decay $e^{-0.1|k|}$, causal masking and
$n = 2048$ the unguarded relative error reaches $10^{29}$ (spec pitfall 9) — that is what the guard excludes.
URPE uses two Toeplitz passes: numerator $T(e^b \odot C)$, denominator $T(e^b)$. [derived; the O(n log n)
claim src: arXiv 2106.12566 abstract]
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.urpe.strategies import KernelInstance, kernel_instances
from attnlab.theory._tolerances import TOL
from attnlab.theory.urpe.kernelized import (
    kernelized_rpe_fft,
    kernelized_rpe_naive,
    toeplitz_abs_scale,
    toeplitz_matmul_fft,
    toeplitz_matmul_naive,
)

__all__ = ["KAPPA_GUARD", "toeplitz_fft_equals_naive", "kernelized_fft_equals_naive", "guarded_z_error"]

KAPPA_GUARD = 1e2
_PAPER = ("arXiv:2106.12566v2, abstract: 'kernelized attention with RPE can be calculated efficiently using Fast "
          "Fourier Transform (FFT)'; its Eq. and Algorithm numbers unverified")


def _toeplitz(inst: KernelInstance, flip: bool = False) -> Comparison:
    _, _, V, cb, C = inst.arrays()
    c = cb * C
    err = float(np.max(np.abs(toeplitz_matmul_fft(c, V, flip=flip) - toeplitz_matmul_naive(c, V))))
    return Comparison(err, 0.0, TOL.fft.allowance(toeplitz_abs_scale(c, V)))


@empirical_claim(
    "urpe/fft-toeplitz-equals-naive",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#fft-toeplitz (the O(n log n) claim: "
    + _PAPER + ")",
    statement=r"$|(T(c)A)_{\mathrm{FFT}} - T(c)A| \le 10^{-12}\max_i\sum_j|c_{j-i}|\,\|A_j\|_\infty$ for every table "
    r"$c$ indexed by $k = j - i$ (signed, asymmetric, causal or not)",
    strategy=kernel_instances(),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.fft,
    negative=NegativeControl("circulant first column built for offset i - j instead of j - i",
                             evaluate=lambda inst: _toeplitz(inst, flip=True)),
    positive=kernel_instances(urpe=True),  # asymmetric signed tables exp(b) * C by construction
)
def toeplitz_fft_equals_naive(inst: KernelInstance) -> Comparison:
    return _toeplitz(inst)


def guarded_z_error(phq, phk, V, c_num, c_den, z, z_ref, den_ref) -> tuple[float, float, int]:
    r"""(max over guarded rows of $|\Delta z_i| / (\kappa_i \max|v| \max|c_{num}/c_{den}|)$, max kappa, rows skipped)."""
    kappa = np.sum(phq, axis=1) * toeplitz_abs_scale(c_den, phk) / den_ref
    ok = kappa <= KAPPA_GUARD
    if not np.any(ok):
        return np.nan, float(np.max(kappa)), int(len(kappa))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(c_den > 0, np.abs(c_num) / np.where(c_den > 0, c_den, 1.0), 0.0)
    unit = kappa[ok] * np.max(np.abs(V)) * max(1.0, float(np.max(ratio)))
    rel = np.max(np.abs(z[ok] - z_ref[ok]), axis=1) / unit
    return float(np.max(rel)), float(np.max(kappa)), int(np.sum(~ok))


def _kernel(inst: KernelInstance, mutant: bool = False) -> Comparison:
    phq, phk, V, cb, C = inst.arrays()
    c_num = cb * C
    # the planted bug: C applied in both passes, so it cancels from the URPE normalisation
    z, _, _ = kernelized_rpe_fft(phq, phk, V, c_num, c_num if mutant else cb)
    z_ref, _, den_ref = kernelized_rpe_naive(phq, phk, V, c_num, cb)
    err, _, _ = guarded_z_error(phq, phk, V, c_num, cb, z, z_ref, den_ref)
    return Comparison(err, 0.0, TOL.fft.rtol)


def _kernel_hyp(inst: KernelInstance) -> list[str]:
    phq, phk, _, cb, _ = inst.arrays()
    den = np.sum(phq * toeplitz_matmul_naive(cb, phk), axis=1)
    kappa = np.sum(phq, axis=1) * toeplitz_abs_scale(cb, phk) / den
    if not np.any(kappa <= KAPPA_GUARD):
        return [f"dynamic-range guard: every row has kappa > {KAPPA_GUARD:g} (FFT error is absolute, pitfall 9)"]
    return []


@empirical_claim(
    "urpe/kernelized-fft-equals-naive",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#kernelized-fft (URPE on this path is ours; kernelized "
    "RPE: " + _PAPER + ")",
    statement=r"kernelized RPE and URPE attention: $|z^{\mathrm{FFT}}_i - z^{\mathrm{naive}}_i| \le 10^{-12}\,\kappa_i"
    r"\max|v|\max|C|$ on rows with dynamic-range factor $\kappa_i \le 100$",
    strategy=kernel_instances(),
    check_hypotheses=_kernel_hyp,
    tolerance=TOL.fft,
    negative=NegativeControl("URPE's C applied in both Toeplitz passes (numerator and denominator)",
                             evaluate=lambda inst: _kernel(inst, mutant=True)),
    hypotheses=("B additive, content-independent, Toeplitz", "C Toeplitz", "row dynamic range kappa_i <= 100"),
    positive=kernel_instances(log_range=st.floats(0.0, 1.0, allow_nan=False), zero_last_query=True),  # kappa_n <= 7e^2
)
def kernelized_fft_equals_naive(inst: KernelInstance) -> Comparison:
    return _kernel(inst)
