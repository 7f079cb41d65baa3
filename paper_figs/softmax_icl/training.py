"""Training curves of a trained attention layer vs one GD step (softmax_icl F1/F3 and the F4 baseline).

``plot(rows)`` reads tidy rows ``{"step", "metric", "value", "seed", ...labels}`` and draws, for each
label group (e.g. one (n, d)), three panels against training steps: the losses (trained layer, GD,
and the trivial predictor), Preds Diff and Model Diff, and Model Cos. Several seeds give the mean
with a +-1 std band (the paper's appendix shading over repetitions).
"""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_CORE = ("step", "metric", "value", "seed", "cell_key")  # cell_key and seed are added by the runner
_STYLE = {
    "loss_tf": ("trained layer", "C0", "-"),
    "loss_gd": ("one GD step", "C1", "--"),
    "loss_trivial": ("trivial (GD at eta=0)", "0.5", ":"),
    "preds_diff": ("Preds diff", "C2", "-"),
    "model_diff": ("Model diff", "C3", "-"),
    "model_cos": ("Model cos", "C4", "-"),
}
_PANELS = (("loss_tf", "loss_gd", "loss_trivial"), ("preds_diff", "model_diff"), ("model_cos",))


def _groups(rows):
    keys = sorted({k for r in rows for k in r if k not in _CORE})
    out: dict[tuple, list[dict]] = {}
    for r in rows:
        out.setdefault(tuple((k, r.get(k)) for k in keys), []).append(r)
    return out


def _curve(rows, metric):
    by_step: dict[int, list[float]] = {}
    for r in rows:
        if r["metric"] == metric:
            by_step.setdefault(r["step"], []).append(r["value"])
    steps = np.array(sorted(by_step))
    vals = [np.asarray(by_step[s]) for s in steps]
    return steps, np.array([v.mean() for v in vals]), np.array([v.std() for v in vals]), max(map(len, vals), default=0)


def plot(rows: list[dict]):
    """Return a matplotlib Figure: one row of (loss, differences, cosine) panels per label group."""
    groups = _groups(rows)
    fig, axes = new_figure(ncols=3, nrows=max(1, len(groups)), width=3.8, height=2.9)
    for row_axes, (label, grp) in zip(axes, sorted(groups.items(), key=lambda kv: str(kv[0])), strict=False):
        tag = ", ".join(f"{k}={v}" for k, v in label)
        for ax, metrics in zip(row_axes, _PANELS, strict=True):
            for m in metrics:
                steps, mean, std, n_seeds = _curve(grp, m)
                if not len(steps):
                    continue
                name, color, ls = _STYLE[m]
                ax.plot(steps, mean, color=color, ls=ls, label=name)
                if n_seeds > 1:
                    ax.fill_between(steps, mean - std, mean + std, color=color, alpha=0.2, lw=0)
            ax.set_xlabel("training step")
            ax.legend(fontsize=7)
        seeds = len({r["seed"] for r in grp})
        row_axes[0].set_ylabel("loss 0.5 (y^ - y)^2")
        row_axes[0].set_title(f"Loss ({tag}; {seeds} seed{'s' * (seeds > 1)})", fontsize=8)
        row_axes[1].set_title("Prediction / sensitivity difference", fontsize=8)
        row_axes[1].set_ylabel("norm of the difference, TF vs one GD step")
        row_axes[2].set_ylabel("cosine (1 = aligned)")
        row_axes[2].set_title("Cosine of sensitivities", fontsize=8)
    fig.tight_layout()
    return fig
