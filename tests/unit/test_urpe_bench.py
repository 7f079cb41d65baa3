"""urpe benchmarks at tiny sizes: both sides solve the same problem, the FFT side equals the naive one, the T4
benchmark carries the poster's ratios. Timings themselves are never asserted."""

from __future__ import annotations

from attnlab.experiments.bench import BENCHMARKS
from attnlab.experiments.urpe.bench import POSTER_T4, bench_fft_vs_naive, bench_urpe_vs_rpe, blas_threads
from attnlab.theory._tolerances import TOL


def test_both_urpe_benchmarks_are_registered():
    assert {"urpe/fft-vs-naive", "urpe/urpe-vs-rpe"} <= set(BENCHMARKS)


def test_fft_benchmark_times_both_paths_on_one_problem_and_they_agree():
    res = bench_fft_vs_naive(n=97, m=3, d=5, dv=2)
    assert res["shape"] == {"n": 97, "m": 3, "d": 5, "dv": 2, "kind": "urpe", "same for both paths": True}
    assert res["max_rel_diff"] <= TOL.fft.rtol
    assert res["work"]["circulant_size"] >= 2 * 97 - 1
    assert res["work"]["fft_transforms"] == 2 * 3 * (2 + 1)
    assert min(res["baseline_s"], res["ours_s"], res["ours_1_thread_s"], res["baseline_cpu_s"], res["ours_cpu_s"]) > 0


def test_blas_thread_count_follows_openblas_precedence(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.delenv("GOTO_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "5")
    assert blas_threads() == 5
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    assert blas_threads() == 3


def test_urpe_vs_rpe_benchmark_reports_every_poster_length_with_its_ratios():
    res = bench_urpe_vs_rpe(d_model=6, n_heads=2)
    assert [r["n"] for r in res["per_n"]] == list(POSTER_T4["n"])
    for r in res["per_n"]:
        assert 1.0 < r["poster_time_ratio"] < 1.02 and 1.0 < r["poster_memory_ratio"] < 1.1
        assert r["rpe_peak_mb"] > 0 and r["urpe_peak_mb"] > 0
