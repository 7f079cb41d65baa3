"""Plot of ``algoformer/float32-drift``: relative float32 - float64 difference of the looped GD vs loops."""

from __future__ import annotations

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def plot(rows: list[dict]):
    fig, axes = new_figure()
    ax = axes[0][0]
    for seed in sorted({r["seed"] for r in rows}):
        rs = sorted((r for r in rows if r["seed"] == seed), key=lambda r: r["t"])
        ax.plot([r["t"] for r in rs], [r["rel_max"] for r in rs], "-o", ms=3, label=f"max, seed {seed}")
        ax.plot([r["t"] for r in rs], [r["rel_median"] for r in rs], "--", label=f"median, seed {seed}")
    ax.set(xscale="log", yscale="log", xlabel="loops T", ylabel="|y32 - y64| / (1 + |y64|)", title="float32 drift")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
