r"""Kernelized RPE attention (Luo et al. 2021): FFT vs naive, time and error against n.

Per n (powers of two) and table kind:

* ``t5``: $b_k \sim U(-1, 1)$ per offset, bidirectional (bounded dynamic range);
* ``urpe``: the same b with URPE's $C_k \sim 1 + 0.5\,N(0, 1)$ (two Toeplitz passes);
* ``alibi_causal``: $b_k = -0.1|k|$ with a causal mask (spec pitfall 9's steep decay).

Rows: wall time of each path (best of ``repeats``; the naive path only up to ``naive_max_n``), the max relative
error of z over all rows (unguarded), over guarded rows ($\kappa_i \le 100$, see
:mod:`attnlab.proofs_checks.urpe.fft`), the number of rows the guard excludes, and for the raw Toeplitz product
with *locally zero* inputs (the second half of A zero, spec pitfall 9) the max relative error and the number
of outputs that came out $\le 0$ although every true value is positive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from attnlab.experiments.config import ExperimentConfig
from attnlab.experiments.figures import Figure
from attnlab.proofs_checks.urpe.fft import guarded_z_error
from attnlab.theory.errors import ConfigError
from attnlab.theory.urpe.kernelized import (
    kernelized_rpe_fft,
    kernelized_rpe_naive,
    positive_random_features,
    toeplitz_matmul_fft,
    toeplitz_matmul_naive,
)

__all__ = ["Config", "run", "summarize", "FIGURE", "KINDS", "make_problem"]

KINDS = ("t5", "urpe", "alibi_causal")


@dataclass(frozen=True)
class Config(ExperimentConfig):
    log2_n: tuple[int, ...] = (6, 7, 8, 9, 10, 11)
    kinds: tuple[str, ...] = KINDS
    m: int = 16
    d: int = 16
    dv: int = 16
    naive_max_n: int = 2048
    repeats: int = 2

    def validate(self):
        if not self.log2_n or min(self.log2_n) < 1 or max(self.log2_n) > 16:
            raise ConfigError(f"log2_n must lie in [1, 16], got {self.log2_n}")
        if not self.kinds or set(self.kinds) - set(KINDS):
            raise ConfigError(f"kinds must be a non-empty subset of {KINDS}, got {self.kinds}")
        if min(self.m, self.d, self.dv, self.repeats, self.naive_max_n) < 1:
            raise ConfigError("m, d, dv, repeats and naive_max_n must be >= 1")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return cls(log2_n=(3, 5), naive_max_n=16, repeats=1, m=3, d=5, dv=2)

    @classmethod
    def smoke(cls):
        return cls()

    @classmethod
    def paper(cls):
        """n = 2^9 .. 2^15 (the issue's range), naive path at every n, 3 repeats."""
        return cls(log2_n=tuple(range(9, 16)), naive_max_n=2**15, repeats=3)


def make_problem(kind: str, n: int, m: int, d: int, dv: int, seed: int):
    """(phi_q, phi_k, V, c_num, c_den) for one table kind (see the module docstring)."""
    rng = np.random.default_rng([seed, n])
    W = rng.standard_normal((m, d))
    phq = positive_random_features(rng.standard_normal((n, d)) * d ** -0.25, W)
    phk = positive_random_features(rng.standard_normal((n, d)) * d ** -0.25, W)
    V = rng.standard_normal((n, dv))
    k = np.arange(2 * n - 1) - (n - 1)
    if kind == "alibi_causal":
        cb = np.where(k <= 0, np.exp(-0.1 * np.abs(k)), 0.0)
    else:
        cb = np.exp(rng.uniform(-1.0, 1.0, 2 * n - 1))
    c_num = cb * (1.0 + 0.5 * rng.standard_normal(2 * n - 1)) if kind == "urpe" else cb
    return phq, phk, V, c_num, cb


def _best(fn, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(cfg: Config, seed: int) -> list[dict]:
    rows = []
    for kind in cfg.kinds:
        for p in cfg.log2_n:
            n = 2**p
            prob = make_problem(kind, n, cfg.m, cfg.d, cfg.dv, seed)
            phq, phk, V, c_num, c_den = prob
            base = {"kind": kind, "n": n, "seed": seed}
            t_fft, (z, _, _) = _best(lambda p=prob: kernelized_rpe_fft(*p), cfg.repeats)
            rows.append({**base, "metric": "time_fft_s", "value": t_fft})
            if n > cfg.naive_max_n:
                continue
            t_naive, (z_ref, _, den_ref) = _best(lambda p=prob: kernelized_rpe_naive(*p), cfg.repeats)
            rows.append({**base, "metric": "time_naive_s", "value": t_naive})
            rel = np.max(np.abs(z - z_ref), axis=1) / np.max(np.abs(z_ref), axis=1)
            guarded, kappa, skipped = guarded_z_error(phq, phk, V, c_num, c_den, z, z_ref, den_ref)
            rows.append({**base, "metric": "z_rel_error_unguarded", "value": float(np.max(rel))})
            rows.append({**base, "metric": "z_error_guarded_units", "value": guarded})
            rows.append({**base, "metric": "rows_beyond_guard", "value": float(skipped)})
            rows.append({**base, "metric": "max_kappa", "value": kappa})
            A = np.abs(V[:, :4]) + 1.0
            A[n // 2:] = 0.0  # locally zero inputs: the later rows' true values decay like e^{-0.1 (i - j)}
            y, y_ref = toeplitz_matmul_fft(c_den, A), toeplitz_matmul_naive(c_den, A)
            pos = y_ref > 0
            rows.append({**base, "metric": "toeplitz_rel_error_local_zero",
                         "value": float(np.max(np.abs(y - y_ref)[pos] / y_ref[pos]))})
            rows.append({**base, "metric": "toeplitz_nonpositive_outputs", "value": float(np.sum(y[pos] <= 0))})
    return rows


def summarize(rows: list[dict]) -> dict[str, float]:
    """Largest n with both paths: naive/FFT time ratio; worst guarded error (units of 1e-12 allowance)."""
    out = {}
    both = [r for r in rows if r["metric"] == "time_naive_s"]
    if both:
        n = max(r["n"] for r in both)
        t = {(r["kind"], r["metric"]): r["value"] for r in rows if r["n"] == n and r["metric"].startswith("time")}
        out["speedup_at_largest_n"] = float(np.min([t[(k, "time_naive_s")] / t[(k, "time_fft_s")]
                                                    for k, _ in t if (k, "time_naive_s") in t]))
        out["largest_n_with_naive"] = float(n)
    g = [r["value"] for r in rows if r["metric"] == "z_error_guarded_units" and np.isfinite(r["value"])]
    out["max_guarded_error_over_allowance"] = float(max(g)) * 1e12 if g else float("nan")
    u = [r["value"] for r in rows if r["metric"] == "toeplitz_rel_error_local_zero" and r["kind"] == "alibi_causal"]
    out["alibi_local_zero_max_rel_error"] = float(max(u)) if u else float("nan")
    return out


FIGURE = Figure(
    id="urpe/fft-rpe",
    paper="urpe",
    title="Kernelized RPE attention: FFT vs naive time and error vs n (RPE, URPE, causal ALiBi decay)",
    locator="not a paper figure: the claim of arXiv:2106.12566v2, abstract, 'With FFT, our method achieves O(n log n) "
    "time complexity', timed by us (the paper's efficiency figure: unverified, not read); error panels are ours: "
    "proofs_checks/urpe/DERIVATIONS.md#fft-toeplitz and #kernelized-fft",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.urpe.fft_rpe:plot",
    choices="positive random features m = 16 on d = 16 Gaussian q, k scaled by d^-1/4; d_v = 16; b ~ U(-1, 1) per "
    "offset; URPE C ~ 1 + 0.5 N(0, 1); ALiBi-like b_k = -0.1|k| causal; numpy float64 on CPU, naive path in "
    "row blocks of 1024; times are best of repeats",
)
