"""Plot of ``tf_svm/local-convergence``: (a) selected-token softmax, (b) correlation with W^mm / W^mm_* per run type."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def _curve(rows, param, subset, metric):
    pts = sorted((r["step"], r["mean"], r["std"]) for r in rows
                 if r["param"] == param and r["subset"] == subset and r["metric"] == metric)
    if not pts:
        return np.array([]), np.array([]), np.array([])
    steps = np.array(sorted({p[0] for p in pts}))
    mean = np.array([np.nanmean([p[1] for p in pts if p[0] == s]) for s in steps])
    std = np.array([np.nanmean([p[2] for p in pts if p[0] == s]) for s in steps])
    return steps, mean, std


def plot(rows: list[dict]):
    fig, axes = new_figure(ncols=3, width=3.8)
    a, b, c = axes[0]
    for param, color in (("W", "tab:blue"), ("KQ", "tab:red")):
        s, m, sd = _curve(rows, param, "all", "prob_max")
        a.plot(s, m, color=color, label=f"{param}: mean_i max_t s_it")
        a.fill_between(s, m - sd, m + sd, color=color, alpha=0.2)
        s, m, _ = _curve(rows, param, "all", "prob_alpha")
        a.plot(s, m, "--", color=color, lw=0.8, label=f"{param}: s_(i,alpha_i)")
    a.set(xlabel="NGD step", ylabel="softmax probability", title="(a) selected-token softmax", xscale="log")
    for ax, param in ((b, "W"), (c, "KQ")):
        for metric, color, lab in (("corr_fro", "tab:blue", "W^mm_alpha (fro)"), ("corr_nuc", "tab:red", "W^mm_*alpha (nuc)")):
            s, m, sd = _curve(rows, param, "matched", metric)
            ax.plot(s, m, color=color, label=f"{lab}, matched runs")
            ax.fill_between(s, m - sd, m + sd, color=color, alpha=0.15)
            s, m, _ = _curve(rows, param, "all", metric)
            ax.plot(s, m, ":", color=color, label=f"{lab}, all runs")
        ax.set(xlabel="NGD step", ylabel="correlation", ylim=(0.0, 1.02),
               title=f"({'b' if param == 'W' else 'c'}) {param}-run: corr with SVM solutions")
    for ax in (a, b, c):
        ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
