"""Plot of ``algoformer/loops-vs-algorithms``: error vs iterations / loops (log), learned loops and algorithms."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def plot(rows: list[dict]):
    fig, axes = new_figure(width=5.5, height=3.6)
    ax = axes[0][0]
    curves = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["metric"] == "error":
            curves[r["method"]][r["t"]].append(r["err"])
    for method, by_t in sorted(curves.items()):
        ts = sorted(by_t)
        learned = any(r["trained_loops"] > 0 for r in rows if r["method"] == method)
        ax.plot(ts, [max(np.mean(by_t[t]), 1e-16) for t in ts], "-o" if learned else "--", ms=2.5, label=method,
                lw=2 if learned else 1)
    b = max((r["trained_loops"] for r in rows), default=0)
    if b:
        ax.axvline(b, color="k", lw=0.8, ls=":", label="trained loops b")
    ax.set(yscale="log", xlabel="iterations / loops t", ylabel="(y_hat - y)^2 / d", title="learned loop vs algorithms")
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig
