"""Plot of ``tf_svm/multi-token-nonlinear``: (top) mean 1 - corr vs NGD step for W^SVMeq (solid), W^svm (dotted),
W^1token (dashed), one panel per d; (bottom) per-instance final 1 - corr(W^SVMeq) vs the largest masked probability."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_STYLE = {"svmeq": ("-", "W^SVMeq"), "svm": (":", "W^svm (generalised SVM)"), "1token": ("--", "W^1token")}


def plot(rows: list[dict]):
    ds = sorted({r["d"] for r in rows})
    fig, axes = new_figure(ncols=max(len(ds), 1), nrows=2, width=3.4, height=3.0)
    for k, d in enumerate(ds):
        top, bot = axes[0][k], axes[1][k]
        for metric, (ls, lab) in _STYLE.items():
            pts = sorted((r["step"], r["value"], r["count"]) for r in rows
                         if r["kind"] == "curve" and r["d"] == d and r["metric"] == metric and r["count"] > 0)
            steps = sorted({p[0] for p in pts})
            mean = [np.average([p[1] for p in pts if p[0] == s], weights=[p[2] for p in pts if p[0] == s])
                    for s in steps]
            top.plot(steps, mean, ls=ls, marker="o", ms=3, label=lab)
        acc = sum(r["value"] for r in rows if r["kind"] == "attempts" and r["d"] == d and r["metric"] == "accepted")
        top.set(yscale="log", xlabel="NGD step", ylabel="mean 1 - corr", title=f"d={d} ({int(acc)} accepted)")
        top.legend(fontsize=6)
        inst = {}
        for r in rows:
            if r["kind"] == "instance" and r["d"] == d and r["metric"] in ("max_masked_prob", "1-corr_svmeq"):
                inst.setdefault(r["instance_seed"], {})[r["metric"]] = r["value"]
        xy = np.array([(v["max_masked_prob"], v["1-corr_svmeq"]) for v in inst.values() if len(v) == 2])
        if xy.size:
            bot.scatter(np.maximum(xy[:, 0], 1e-17), np.maximum(xy[:, 1], 1e-17), s=10)
        bot.set(xscale="log", yscale="log", xlim=(0.5e-17, 1e-6), xlabel="max masked prob (floored 1e-17)",
                ylabel="final 1 - corr(W^SVMeq)")
    fig.tight_layout()
    return fig
