"""Plot of ``algoformer/softmax-copy-vs-beta``: copy error / spread vs beta with the (N-1)e^{-beta} rate."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def plot(rows: list[dict]):
    fig, axes = new_figure()
    ax = axes[0][0]
    for N in sorted({r["N"] for r in rows}):
        rs = sorted((r for r in rows if r["N"] == N), key=lambda r: r["beta"])
        betas = [r["beta"] for r in rs]
        line, = ax.plot(betas, [max(r["err_max"], 1e-17) for r in rs], "-o", ms=3, label=f"max error, N={N}")
        ax.plot(betas, [r["bound"] for r in rs], "--", color=line.get_color(), label=f"(N-1)e^-b/(1+(N-1)e^-b), N={N}")
    ax.axhline(np.finfo(float).eps, color="k", lw=0.6, ls=":")
    ax.set(yscale="log", xlabel="beta", ylabel="copy error / spread", title="softmax copy error")
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
