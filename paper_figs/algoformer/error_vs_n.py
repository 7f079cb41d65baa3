"""Plot of ``algoformer/error-vs-n``: one panel per task, error vs n for every model (seed mean)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_STYLE = {"standard": "-o", "looped": "-s", "algoformer": "-^", "construction": "--", "oracle_ols": ":"}


def plot(rows: list[dict]):
    tasks = sorted({r["task"] for r in rows})
    fig, axes = new_figure(ncols=len(tasks))
    for ax, task in zip(axes[0], tasks, strict=True):
        curves = defaultdict(lambda: defaultdict(list))
        for r in rows:
            if r["task"] == task and r["n"] >= 0:
                curves[r["model"]][r["n"]].append(r["err"])
        for model, by_n in sorted(curves.items()):
            ns = sorted(by_n)
            ax.plot(ns, [np.mean(by_n[n]) for n in ns], _STYLE.get(model, "-"), label=model, ms=3)
        ax.set(yscale="log", xlabel="in-context examples n", ylabel="normalised squared error", title=task)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
