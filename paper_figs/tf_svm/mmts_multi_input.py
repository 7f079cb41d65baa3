"""Plot of ``tf_svm/mmts-multi-input``: (a) keys, p^mm ray, margin hyperplane and NGD paths; (b) mean softmax of
the optimal token and (c) ||p|| from p0 = 0, NGD vs GD, over the first ``plot_steps`` iterations."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]


def _series(rows, method, x0, col, plot_steps):
    pts = sorted({(r["step"], r[col]) for r in rows if r["kind"] == "path" and r["method"] == method
                  and r["init_x"] == x0 and r["step"] <= plot_steps})
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


def plot(rows: list[dict], plot_steps: int = 200):
    fig, axes = new_figure(ncols=3, width=3.9, height=3.6)
    a, b, c = axes[0]
    tok = [r for r in rows if r["kind"] == "token"]
    opt = np.array([(r["x"], r["y"]) for r in tok if r["t"] == 0])
    non = np.array([(r["x"], r["y"]) for r in tok if r["t"] != 0])
    a.scatter(opt[:, 0], opt[:, 1], marker="*", color="r", s=120, zorder=3, label="optimal tokens (score 1)")
    a.scatter(non[:, 0], non[:, 1], color="tab:green", s=30, zorder=3, label="non-optimal tokens (score 0.5)")
    svm = [r for r in rows if r["kind"] == "svm" and np.isfinite(r["x"])]
    if svm:
        p = np.array([svm[0]["x"], svm[0]["y"]])
        u = p / np.linalg.norm(p)
        a.plot([0, 25 * u[0]], [0, 25 * u[1]], "r--", lw=2, label="p^mm direction")
        n_in = max(r["i"] for r in tok) + 1
        keys = {(r["i"], r["t"]): np.array([r["x"], r["y"]]) for r in tok}
        pairs = [(keys[i, 0], keys[i, t]) for i in range(n_in) for t in range(1, 1 + max(r["t"] for r in tok))]
        ko, kt = min(pairs, key=lambda pr: (pr[0] - pr[1]) @ u)
        mid, perp = (ko + kt) / 2, np.array([-u[1], u[0]])
        a.plot(*np.stack([mid - 3 * perp, mid + 3 * perp]).T, "k:", lw=1.2, label="max-margin hyperplane")
    for x0 in sorted({r["init_x"] for r in rows if r["kind"] == "path"}):
        pts = sorted((r["step"], r["x"], r["y"]) for r in rows if r["kind"] == "path" and r["method"] == "ngd"
                     and r["init_x"] == x0 and r["step"] <= plot_steps)
        xy = np.array([(x, y) for _, x, y in pts])
        a.plot(xy[:, 0], xy[:, 1], color="gray", lw=1.2, zorder=1)
    a.set(xlim=(-2.5, 20), ylim=(-4, 6), xlabel="p_1", ylabel="p_2", title=f"(a) NGD paths, first {plot_steps} steps")
    a.legend(fontsize=6, loc="upper right")
    for method, col, lab in (("ngd", "r", "NGD, eta=0.1"), ("gd", "b", "GD, eta=1")):
        s, v = _series(rows, method, 0.0, "prob_opt", plot_steps)
        b.plot(s, v, color=col, lw=2, label=lab)
        s, v = _series(rows, method, 0.0, "norm", plot_steps)
        c.plot(s, v, color=col, lw=2, label=lab)
    b.set(xlabel="iteration", ylabel="mean softmax of optimal token", title="(b) selection from p0 = 0")
    c.set(xlabel="iteration", ylabel="||p||", title="(c) norm growth from p0 = 0")
    b.legend(fontsize=7)
    c.legend(fontsize=7)
    fig.tight_layout()
    return fig
