"""Plot of ``tf_svm/gd-paths-2d``: NGD paths W_k z_i (solid W, dashed (K,Q), dotted random inits) with the
Att-SVM rays W^mm z_i (solid) and W^mm_* z_i (dashed), global rays bold, local rays thin; one panel per instance."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_COLORS = ("tab:red", "tab:blue")  # input i = 1, 2 as in the notebooks


def _pts(rows, i):
    rows = sorted(rows, key=lambda r: r["step"])
    return np.array([r[f"p{i}x"] for r in rows]), np.array([r[f"p{i}y"] for r in rows])


def plot(rows: list[dict]):
    names = sorted({r["instance"] for r in rows})
    fig, axes = new_figure(ncols=max(len(names), 1), width=4.6, height=4.2)
    for ax, name in zip(axes[0], names, strict=False):
        mine = [r for r in rows if r["instance"] == name]
        lim, xs, ys = 1.0, [0.0], [0.0]
        for run in sorted({r["run"] for r in mine if r["kind"] == "iterate"}):
            its = [r for r in mine if r["kind"] == "iterate" and r["run"] == run]
            ls = "-" if run == "W" else "--" if run == "KQ" else ":"
            for i, col in zip((1, 2), _COLORS, strict=True):
                x, y = _pts(its, i)
                ax.plot(x, y, ls=ls, color=col, lw=1.4)
                lim = max(lim, float(np.max(np.abs(np.concatenate([x, y])))))
                xs += [float(x.min()), float(x.max())]
                ys += [float(y.min()), float(y.max())]
        for r in mine:  # rays drawn as directions, long enough to cross the panel
            if r["kind"] != "svm":
                continue
            glob = r["run"].endswith("global")
            for i, col in zip((1, 2), _COLORS, strict=True):
                p = np.array([r[f"p{i}x"], r[f"p{i}y"]])
                nrm = float(np.linalg.norm(p))
                if nrm == 0:
                    continue
                p = 2.0 * lim * p / nrm
                ax.plot([0, p[0]], [0, p[1]], color=col, ls="-" if r["norm"] == "fro" else "--",
                        lw=2.5 if glob else 0.6, alpha=0.35 if glob else 0.5, zorder=0)
        pad = 0.1 * lim
        ax.set(xlim=(min(xs) - pad, max(xs) + pad), ylim=(min(ys) - pad, max(ys) + pad),
               title=f"{name}: paths vs SVM rays", xlabel="1st coordinate", ylabel="2nd coordinate")
        ax.set_aspect("equal", adjustable="datalim")  # equal scales: the angles between paths and rays are the point
    fig.legend(handles=_legend_handles(), loc="lower center", ncol=4, fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def _legend_handles():
    """One entry per encoding: path line styles, input colours, and the two kinds of SVM rays."""
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color="k", ls="-", lw=1.4, label="NGD path on W"),
        Line2D([], [], color="k", ls="--", lw=1.4, label="NGD path on (K, Q)"),
        Line2D([], [], color="k", ls=":", lw=1.4, label="NGD on W, random init"),
        Line2D([], [], color=_COLORS[0], lw=1.4, label="input 1: W_k z_1"),
        Line2D([], [], color=_COLORS[1], lw=1.4, label="input 2: W_k z_2"),
        Line2D([], [], color="0.4", ls="-", lw=2.5, alpha=0.35, label="ray W^mm z_i (Frobenius SVM)"),
        Line2D([], [], color="0.4", ls="--", lw=2.5, alpha=0.35, label="ray W^mm_* z_i (nuclear SVM)"),
        Line2D([], [], color="0.4", ls="-", lw=0.6, alpha=0.5, label="thin ray: locally optimal selection"),
    ]
