r"""Benchmark of kernelized RPE attention: the FFT path against the naive O(n^2) path, timed in the same run.

Both paths solve the same problem (:func:`attnlab.experiments.urpe.fft_rpe.make_problem`, URPE tables, m random
features, d_v value channels) and may use the same number of threads: the naive path's GEMMs run on OpenBLAS
with its thread count (``OPENBLAS_NUM_THREADS`` > ``GOTO_NUM_THREADS`` > ``OMP_NUM_THREADS`` > the CPU count, the
order OpenBLAS reads them), and the FFT path gets that many ``scipy.fft`` workers. The single-threaded FFT time
is recorded beside it (``ours_1_thread_s``).

What bounds the ratio (measured on the 2-core development machine, see ``work``): the FFT path does
$m (d_v + 1)$ real FFTs of length $N \ge 2n - 1$ forward and as many back, about
$2 m (d_v + 1) \cdot 2.5 N \log_2 N$ flops, against $n^2 (2m + 2 d_v + 3)$ for the naive path (plus two gathers of the tables per entry), which are ~14x
more flops at n = 8192, m = d_v = 16, but run as a dense GEMM plus elementwise passes over n^2 entries.
"""

from __future__ import annotations

import math
import os

import numpy as np

from attnlab.experiments.bench import best_of
from attnlab.experiments.urpe.fft_rpe import make_problem
from attnlab.theory.urpe.kernelized import circulant_size, kernelized_rpe_fft, kernelized_rpe_naive

__all__ = ["bench_fft_vs_naive", "blas_threads"]


def blas_threads() -> int:
    """Threads OpenBLAS starts with: the first positive of its environment variables, else the CPU count."""
    for var in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def _work(n: int, m: int, dv: int) -> dict:
    """Flop counts of both paths (real FFT ~ 2.5 N log2 N flops; naive: the four n^2 passes per row block)."""
    N = circulant_size(n)
    transforms = 2 * m * (dv + 1)
    return {"circulant_size": N, "fft_transforms": transforms,
            "fft_flops": transforms * 2.5 * N * math.log2(N),
            "naive_flops": n * n * (2 * m + 2 * dv + 3)}


def bench_fft_vs_naive(n: int = 8192, m: int = 16, d: int = 16, dv: int = 16, kind: str = "urpe") -> dict:
    """URPE kernelized attention (two Toeplitz passes) at n = 8192: FFT vs the naive row-blocked O(n^2) sum."""
    phq, phk, V, c_num, c_den = make_problem(kind, n, m, d, dv, seed=0)
    threads = blas_threads()
    ours_1_s = best_of(lambda: kernelized_rpe_fft(phq, phk, V, c_num, c_den), repeats=5)
    ours_s = (best_of(lambda: kernelized_rpe_fft(phq, phk, V, c_num, c_den, workers=threads), repeats=5)
              if threads > 1 else ours_1_s)
    base_s = best_of(lambda: kernelized_rpe_naive(phq, phk, V, c_num, c_den), repeats=2)
    z, _, _ = kernelized_rpe_fft(phq, phk, V, c_num, c_den, workers=threads)
    z_ref, _, _ = kernelized_rpe_naive(phq, phk, V, c_num, c_den)
    return {"baseline_s": base_s, "ours_s": ours_s, "ours_1_thread_s": ours_1_s, "threads": threads,
            "ratio_1_thread_fft": base_s / ours_1_s,
            "max_rel_diff": float(np.max(np.abs(z - z_ref)) / np.max(np.abs(z_ref))),
            "baseline": f"attnlab.theory.urpe.kernelized.kernelized_rpe_naive (numpy, row blocks of 1024, "
            f"O(n^2 (m + dv)); OpenBLAS with {threads} threads)",
            "ours": f"attnlab.theory.urpe.kernelized.kernelized_rpe_fft (scipy.fft circulant embedding, "
            f"O(n log n m dv); {threads} scipy.fft workers; 1 worker: {ours_1_s:.3f}s)",
            "shape": {"n": n, "m": m, "d": d, "dv": dv, "kind": kind, "same for both paths": True},
            "work": _work(n, m, dv)}
