"""Plot of ``softmax_icl/lipschitz-ratio-vs-n``: typical ratio / (R/2) and log10(M / ratio) vs n."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def plot(rows: list[dict]):
    fig, axes = new_figure(ncols=2)
    left, right = axes[0]
    groups = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["stat"] == "median":
            groups[(r["variable"], r["R"])][r["n"]].append(r)
    for (var, R), by_n in sorted(groups.items()):
        ns = sorted(by_n)
        tight = [np.mean([r["ratio_over_tight"] for r in by_n[n]]) for n in ns]
        loose = [np.mean([r["log10_M_over_ratio"] for r in by_n[n]]) for n in ns]
        style = "-o" if var == "x" else "--s"
        left.plot(ns, tight, style, label=f"{var}, R={R:g}")
        right.plot(ns, loose, style, label=f"{var}, R={R:g}")
    left.set(xscale="log", yscale="log", xlabel="n", ylabel="median ratio / (R/2)",
             title="typical ratio vs tight constant (1 = tight)")
    right.set(xscale="log", xlabel="n", ylabel="log10(M / ratio)", title=r"looseness of $M = n^{1.5} e^{10R^2}$")
    for ax in (left, right):
        ax.set_xticks(sorted({r["n"] for r in rows}))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    left.axhline(1.0, color="k", lw=0.8)
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig
