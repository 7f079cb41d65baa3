"""Plot of ``urpe/position-tasks``: final accuracy bars per task and variant (top), and URPE's learned B and C of
head 0 expanded to n x n matrices $M_{ij} = t_{j-i}$ for each task (bottom; C multiplies the softmax output)."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_LABEL = {"none": "noPE", "t5": "RPE", "urpe": "URPE", "ape": "APE"}


def _final(rows, task, variant, metric):
    mine = [r for r in rows if r["kind"] == "metric" and r["task"] == task and r["variant"] == variant
            and r["metric"] == metric]
    if not mine:
        return np.nan
    last = max(r["step"] for r in mine)
    return float(np.mean([r["value"] for r in mine if r["step"] == last]))


def _matrix(rows, task, table):
    mine = [r for r in rows if r["kind"] == "table" and r["task"] == task and r["variant"] == "urpe"
            and r["table"] == table and r["head"] == 0 and r["seed"] == min(x["seed"] for x in rows)]
    if not mine:
        return None
    t = {r["offset"]: r["value"] for r in mine}
    n = (len(t) + 1) // 2
    return np.array([[t[j - i] for j in range(n)] for i in range(n)])


def plot(rows: list[dict]):
    tasks = sorted({r["task"] for r in rows if r["kind"] == "metric"})
    variants = [v for v in _LABEL if any(r["variant"] == v for r in rows)]
    fig, axes = new_figure(ncols=max(len(tasks), 4), nrows=2, width=3.4, height=3.0)
    for ax in axes[0][len(tasks):]:
        ax.set_axis_off()
    for ax, task in zip(axes[0], tasks, strict=False):
        x = np.arange(len(variants))
        ax.bar(x - 0.2, [_final(rows, task, v, "acc") for v in variants], 0.4, label="acc")
        if task == "etp":
            ax.bar(x + 0.2, [_final(rows, task, v, "acc_nontrivial") for v in variants], 0.4,
                   label="acc, first half")
            ax.legend(fontsize=6)
        ax.set(xticks=x, xticklabels=[_LABEL[v] for v in variants], ylim=(0, 1.05), title=task, ylabel="accuracy")
    panels = [(task, table) for task in ("pi", "etp") for table in ("B", "C")]
    for ax, (task, table) in zip(axes[1], panels, strict=False):
        M = _matrix(rows, task, table)
        if M is None:
            ax.set_axis_off()
            continue
        im = ax.imshow(M, cmap="viridis")
        fig.colorbar(im, ax=ax, fraction=0.046)
        ax.set(title=f"URPE {table} ({task}, head 0)", xlabel="key j", ylabel="query i")
        ax.grid(False)
    fig.tight_layout()
    return fig
