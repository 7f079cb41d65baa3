"""Benchmark of kernelized RPE attention: the FFT path against the naive O(n^2) path, timed in the same run."""

from __future__ import annotations

import numpy as np

from attnlab.experiments.bench import best_of
from attnlab.experiments.urpe.fft_rpe import make_problem
from attnlab.theory.urpe.kernelized import kernelized_rpe_fft, kernelized_rpe_naive

__all__ = ["bench_fft_vs_naive"]


def bench_fft_vs_naive(n: int = 8192, m: int = 16, d: int = 16, dv: int = 16, kind: str = "urpe") -> dict:
    """URPE kernelized attention (two Toeplitz passes) at n = 8192: FFT vs the naive row-blocked O(n^2) sum."""
    phq, phk, V, c_num, c_den = make_problem(kind, n, m, d, dv, seed=0)
    ours_s = best_of(lambda: kernelized_rpe_fft(phq, phk, V, c_num, c_den), repeats=3)
    base_s = best_of(lambda: kernelized_rpe_naive(phq, phk, V, c_num, c_den), repeats=2)
    z, _, _ = kernelized_rpe_fft(phq, phk, V, c_num, c_den)
    z_ref, _, _ = kernelized_rpe_naive(phq, phk, V, c_num, c_den)
    return {"baseline_s": base_s, "ours_s": ours_s,
            "max_rel_diff": float(np.max(np.abs(z - z_ref)) / np.max(np.abs(z_ref))),
            "baseline": "attnlab.theory.urpe.kernelized.kernelized_rpe_naive (numpy, row blocks of 1024, O(n^2 (m + dv)))",
            "ours": "attnlab.theory.urpe.kernelized.kernelized_rpe_fft (scipy.fft circulant embedding, O(n log n m dv))",
            "shape": {"n": n, "m": m, "d": d, "dv": dv, "kind": kind}}
