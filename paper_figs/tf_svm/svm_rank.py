"""Plot of ``tf_svm/svm-rank-vs-d``: mean rank vs d per (n, T), official count (left) and corrected (right)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def plot(rows: list[dict]):
    fig, axes = new_figure(ncols=3, width=3.8)
    groups = defaultdict(lambda: defaultdict(list))
    infeas = defaultdict(lambda: defaultdict(list))
    for r in rows:
        groups[(r["method"], r["norm"], r["n"], r["T"])][r["d"]].append(r["rank"])
        if r["method"] == "corrected" and r["norm"] == "fro":
            infeas[(r["n"], r["T"])][r["d"]].append(r["status"] == "infeasible")
    pairs = sorted({(k[2], k[3]) for k in groups})
    colors = {p: f"C{i}" for i, p in enumerate(pairs)}
    for ax, method in zip(axes[0][:2], ("official", "corrected"), strict=True):
        for (m, norm, n, T), by_d in sorted(groups.items()):
            if m != method:
                continue
            ds = sorted(by_d)
            mean = [np.nanmean(by_d[d]) if np.isfinite(by_d[d]).any() else np.nan for d in ds]
            ax.plot(ds, mean, "-o" if norm == "fro" else "--s", color=colors[(n, T)], ms=3,
                    label=f"n={n}, T={T}, {norm}")
        title = ("official: abs tol 1e-7, infeasible -> rank 1" if method == "official"
                 else "corrected: status checked, sigma_k > 1e-6 sigma_1")
        ax.set(xlabel="d", ylabel="mean rank of W^mm", title=title)
        ax.legend(fontsize=6)
    ax = axes[0][2]
    for (n, T), by_d in sorted(infeas.items()):
        ds = sorted(by_d)
        ax.plot(ds, [np.mean(by_d[d]) for d in ds], "-o", ms=3, color=colors[(n, T)], label=f"n={n}, T={T}")
    ax.set(xlabel="d", ylabel="fraction infeasible", title="Att-SVM(opt) infeasible (corrected)", ylim=(-0.05, 1.05))
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
