"""Plot of ``urpe/fft-rpe``: time vs n of the FFT and naive paths (log-log, with n log n and n^2 guides), the
relative error of z vs n (unguarded), and the raw Toeplitz product's relative error on locally zero inputs."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_COLOR = {"t5": "tab:red", "urpe": "tab:blue", "alibi_causal": "tab:purple"}


def _series(rows, kind, metric):
    mine = sorted((r["n"], r["value"]) for r in rows if r["kind"] == kind and r["metric"] == metric)
    return np.array([m[0] for m in mine]), np.array([m[1] for m in mine])


def plot(rows: list[dict]):
    fig, axes = new_figure(ncols=3, width=3.8, height=3.2)
    kinds = [k for k in _COLOR if any(r["kind"] == k for r in rows)]
    ax = axes[0, 0]
    for kind in kinds:
        for metric, ls in (("time_fft_s", "-"), ("time_naive_s", "--")):
            n, t = _series(rows, kind, metric)
            ax.plot(n, t, ls, marker="o", ms=3, color=_COLOR[kind], label=f"{kind} {metric[5:-2]}")
    n, t = _series(rows, kinds[0], "time_fft_s") if kinds else (np.array([]), np.array([]))
    if len(n):
        ax.plot(n, t[-1] * n * np.log2(n) / (n[-1] * np.log2(n[-1])), "k:", lw=1, label="~ n log n")
        nn, tn = _series(rows, kinds[0], "time_naive_s")
        if len(nn):
            ax.plot(nn, tn[-1] * (nn / nn[-1]) ** 2, "k-.", lw=1, label="~ n^2")
    ax.set(xscale="log", yscale="log", xlabel="n", ylabel="seconds", title="time (best of repeats)")
    ax.legend(fontsize=5)
    for ax, metric, title in ((axes[0, 1], "z_rel_error_unguarded", "z: max relative error (all rows)"),
                              (axes[0, 2], "toeplitz_rel_error_local_zero", "T(c)A, locally zero A")):
        for kind in kinds:
            n, e = _series(rows, kind, metric)
            ax.plot(n, np.maximum(e, 1e-18), marker="o", ms=3, color=_COLOR[kind], label=kind)
        ax.axhline(1e-12, color="k", ls="--", lw=1, label="1e-12")
        ax.set(xscale="log", yscale="log", xlabel="n", ylabel="relative error", title=title)
        ax.legend(fontsize=5)
    fig.tight_layout()
    return fig
