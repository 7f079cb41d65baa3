"""Plot of ``tf_svm/overparam-convergence``: per (n, T), stacked global / local / none fractions vs d, with the
fraction of instances whose Att-SVM(opt) is feasible overlaid."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_COLORS = {"global": "tab:green", "local": "tab:orange", "none": "tab:gray"}


def _fractions(rows):
    """(n, T, d, outcome) -> fraction pooled over seeds (count-weighted)."""
    num, den = {}, {}
    for r in rows:
        key = (r["n"], r["T"], r["d"], r["outcome"])
        num[key] = num.get(key, 0) + r["count"]
        den[key] = den.get(key, 0) + r["instances"]
    return {k: num[k] / den[k] for k in num}


def plot(rows: list[dict]):
    frac = _fractions(rows)
    pairs = sorted({(n, T) for n, T, _, _ in frac}) or [(0, 0)]
    fig, axes = new_figure(ncols=len(pairs), width=3.8)
    for ax, (n, T) in zip(axes[0], pairs, strict=True):
        ds = sorted({d for nn, TT, d, _ in frac if (nn, TT) == (n, T)})
        x = np.arange(len(ds))
        bottom = np.zeros(len(ds))
        for outcome in ("global", "local", "none"):
            f = np.array([frac.get((n, T, d, outcome), 0.0) for d in ds])
            ax.bar(x, f, bottom=bottom, color=_COLORS[outcome], width=0.7, label=outcome)
            bottom += f
        feas = [frac.get((n, T, d, "feasible"), np.nan) for d in ds]
        ax.plot(x, feas, "k-o", ms=3, lw=1, label="Att-SVM(opt) feasible")
        ax.axhline(0.9, color="k", ls=":", lw=0.6)
        ax.set_xticks(x, [str(d) for d in ds])
        ax.set(xlabel="d", ylabel="fraction of runs", ylim=(0, 1.05), title=f"n={n}, T={T}")
    axes[0][-1].legend(fontsize=6, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle("NGD on W: limit direction = global / local / no Att-SVM solution", fontsize=9)
    fig.tight_layout()
    return fig
