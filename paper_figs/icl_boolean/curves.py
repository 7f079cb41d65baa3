r"""Accuracy vs number of in-context examples: one panel per (task, n, prompt type), every learner a curve,
trained models solid with their 90% bootstrap band, baselines dashed (clean scoring; official rows ignored).
Several seeds are averaged."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_MODELS = ("gpt2", "lstm", "attention_free", "looped")


def _series(rows, metric):
    by: dict[int, list[float]] = {}
    for r in rows:
        if r["metric"] == metric:
            by.setdefault(r["position"], []).append(r["value"])
    pos = np.array(sorted(by))
    return pos, np.array([np.mean(by[p]) for p in pos])


def plot(rows: list[dict]):
    rows = [r for r in rows if r.get("mode") == "clean" and r["position"] >= 1]
    panels = sorted({(r["task"], r["n_dims"], r["n_points"], r["prompts"]) for r in rows})
    ncols = min(3, max(1, len(panels)))
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = new_figure(ncols=ncols, nrows=max(1, nrows), width=4.2, height=3.2)
    for ax, (task, n, N, prompts) in zip(axes.flat, panels, strict=False):
        sel = [r for r in rows if (r["task"], r["n_dims"], r["n_points"], r["prompts"]) == (task, n, N, prompts)]
        for k, learner in enumerate(sorted({r["learner"] for r in sel})):
            lr = [r for r in sel if r["learner"] == learner]
            pos, acc = _series(lr, "accuracy")
            model = learner in _MODELS
            ax.plot(pos, acc, ls="-" if model else "--", lw=1.8 if model else 1.0, color=f"C{k % 10}", label=learner)
            if model:
                _, lo = _series(lr, "band_lo")
                _, hi = _series(lr, "band_hi")
                ax.fill_between(pos, lo, hi, color=f"C{k % 10}", alpha=0.2, lw=0)
        ax.set_title(f"{task} (n={n}, {prompts} prompts)", fontsize=8)
        ax.set_xlabel("in-context examples seen + 1 (position)")
        ax.set_ylabel("accuracy (clean)")
        ax.set_ylim(0.0, 1.02)
        ax.legend(fontsize=6, ncol=2)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
