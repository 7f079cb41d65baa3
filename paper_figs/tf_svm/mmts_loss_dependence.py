"""Plot of ``tf_svm/mmts-loss-dependence``: one panel per loss, NGD paths from p0 = 0 for each score C (colour),
the common p^mm = (1, 0) ray and, dotted, the derived offset asymptote p_2 -> y_inf(C)."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure, plt

__all__ = ["plot"]

_NAMES = {"correlation": "l(u) = -u", "logistic": "l(u) = log(1 + e^-u)", "exponential": "l(u) = e^-u"}


def plot(rows: list[dict]):
    losses = sorted({r["loss"] for r in rows if r["kind"] == "path"})
    Cs = sorted({r["C"] for r in rows if r["kind"] == "path"})
    cmap = plt.get_cmap("viridis")
    fig, axes = new_figure(ncols=len(losses), width=4.4, height=3.8)
    for ax, loss in zip(axes[0], losses, strict=False):
        ymin, ymax = -1.0, 1.0
        for j, C in enumerate(Cs):
            col = cmap(j / max(len(Cs) - 1, 1))
            pts = sorted((r["step"], r["x"], r["y"]) for r in rows
                         if r["kind"] == "path" and r["loss"] == loss and r["C"] == C)
            xy = np.array([(x, y) for _, x, y in pts])
            ax.plot(xy[:, 0], xy[:, 1], color=col, lw=1.4, label=f"C = {C:g}")
            ymin, ymax = min(ymin, xy[:, 1].min()), max(ymax, xy[:, 1].max())
            for r in rows:
                if r["kind"] == "asymptote" and r["loss"] == loss and r["C"] == C and np.isfinite(r["value"]):
                    ax.axhline(r["value"], color=col, ls=":", lw=0.7)
        ax.axhline(0.0, color="r", ls="--", lw=2, label="p^mm = (1, 0) direction", zorder=0)
        pad = 0.1 * (ymax - ymin)
        ax.set(xlabel="p_1", ylabel="p_2", ylim=(ymin - pad, ymax + pad),
               title=f"{_NAMES.get(loss, loss)}: NGD from p0 = 0")
        ax.legend(fontsize=5, ncol=2)
    fig.tight_layout()
    return fig
