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
                ax.plot(x, y, ls=ls, color=col, lw=1.4, label=f"{run}: W_k z_{i}")
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
               title=f"{name}: paths vs SVM rays (bold: global)", xlabel="1st coord", ylabel="2nd coord")
        ax.legend(fontsize=5, loc="lower left")
    fig.tight_layout()
    return fig
