"""Final loss of one GD step and of the trained softmax layer against d (softmax_icl F2).

``plot(rows)`` takes the rows of every training run (labels ``n``, ``d``), keeps each run's last
evaluation step and plots the seed-mean loss against d, with +-1 std error bars over seeds.
"""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def _final(rows, metric):
    last: dict[tuple, tuple[int, float]] = {}
    for r in rows:
        if r["metric"] == metric:
            key = (r["d"], r["seed"])
            if key not in last or r["step"] > last[key][0]:
                last[key] = (r["step"], r["value"])
    ds = sorted({d for d, _ in last})
    vals = [np.array([v for (d, _), (_, v) in last.items() if d == dd]) for dd in ds]
    return np.array(ds), np.array([v.mean() for v in vals]), np.array([v.std() for v in vals])


def plot(rows: list[dict]):
    """Return a Figure: GD and trained-transformer final loss vs d."""
    fig, axes = new_figure(width=4.2, height=3.2)
    ax = axes[0, 0]
    for metric, name, color, marker in (("loss_gd", "Gradient Descent", "C1", "s"),
                                        ("loss_tf", "Trained Transformer", "C0", "o"),
                                        ("loss_trivial", "trivial (eta=0)", "0.5", "x")):
        ds, mean, std = _final(rows, metric)
        if len(ds):
            ax.errorbar(ds, mean, yerr=std, color=color, marker=marker, capsize=3, label=name)
    ns = sorted({r.get("n") for r in rows if "n" in r})
    ax.set_xlabel("d (embedding size)")
    ax.set_ylabel("final loss 0.5 (y^ - y)^2")
    ax.set_title(f"Loss vs d (n={', '.join(map(str, ns))})", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
