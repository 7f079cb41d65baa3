"""Plot of ``tf_svm/mmts-single-input``: per gamma_c, the tokens, the p^mm rays of a (red) and b (blue) and the
first ``plot_steps`` NGD iterates from each init (gray); last panel: 1 - cosine with the selected token's p^mm."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_MARK = {"a": ("*", "r", 160), "b": ("s", "b", 70), "c": ("o", "g", 70)}


def plot(rows: list[dict], plot_steps: int = 200):
    cases = sorted({r["gamma_c"] for r in rows}, reverse=True)
    fig, axes = new_figure(ncols=len(cases) + 1, width=3.9, height=3.6)
    for ax, gc in zip(axes[0], cases, strict=False):
        for r in rows:
            if r["kind"] == "token" and r["gamma_c"] == gc:
                m, col, size = _MARK.get(r["label"], ("o", "k", 50))
                ax.scatter(r["x"], r["y"], marker=m, color=col, s=size, zorder=3,
                           label=f"{r['label']} = ({r['x']:g}, {r['y']:g}), score {r['value']:g}")
            if r["kind"] == "svm" and r["gamma_c"] == gc and np.isfinite(r["x"]):
                d = np.array([r["x"], r["y"]]) / np.hypot(r["x"], r["y"])
                col = "r" if r["label"] == "a" else "b"
                ax.plot([0, 15 * d[0]], [0, 15 * d[1]], "--", color=col, lw=2, zorder=1,
                        label=f"p^mm_{r['label']} direction")
        for y0 in sorted({r["init_y"] for r in rows if r["kind"] == "path" and r["gamma_c"] == gc}):
            pts = sorted((r["step"], r["x"], r["y"]) for r in rows if r["kind"] == "path" and r["gamma_c"] == gc
                         and r["init_y"] == y0 and r["step"] <= plot_steps)
            xy = np.array([(x, y) for _, x, y in pts])
            ax.plot(xy[:, 0], xy[:, 1], color="gray", lw=1.3, zorder=2)
            ax.annotate("", xy=xy[-1], xytext=xy[max(len(xy) - 3, 0)],
                        arrowprops={"arrowstyle": "->", "color": "gray"})
        ax.set(xlim=(-4, 12), ylim=(-2, 10), xlabel="p_1", ylabel="p_2",
               title=f"gamma_c = {gc:g}: NGD paths, first {plot_steps} steps")
        ax.legend(fontsize=6, loc="upper right")
    ax = axes[0][-1]
    for gc, ls in zip(cases, ("-", "--", ":", "-."), strict=False):
        for y0 in sorted({r["init_y"] for r in rows if r["kind"] == "path" and r["gamma_c"] == gc}):
            pts = sorted((r["step"], r["corr_a"], r["corr_b"], r["prob_a"]) for r in rows
                         if r["kind"] == "path" and r["gamma_c"] == gc and r["init_y"] == y0 and r["step"] > 0)
            arr = np.array(pts)
            sel_a = arr[-1, 3] >= 0.5
            gap = 1 - (arr[:, 1] if sel_a else arr[:, 2])
            ax.plot(arr[:, 0], np.maximum(gap, 1e-12), ls, color="r" if sel_a else "b", lw=0.9,
                    label=f"gamma_c={gc:g}, y0={y0:g} -> {'a' if sel_a else 'b'}")
    ax.set(xscale="log", yscale="log", xlabel="NGD step", ylabel="1 - cos(p_t, p^mm of selected token)",
           title="directional convergence")
    ax.legend(fontsize=5, ncol=2)
    fig.tight_layout()
    return fig
