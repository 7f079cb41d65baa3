"""Plot of ``tf_svm/mmts-joint-training``: (a) p paths with the p^relax (red) and un-relaxed p^mm (gray) rays per
case; (b) v paths with the v^mm ray; (c) mean softmax of the relevant token and mean logistic probability."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_LS = {"tight": "-", "loose": "--"}


def _ray(ax, x, y, style, label, length=60.0):
    if np.isfinite(x) and np.isfinite(y) and (x or y):
        u = np.array([x, y]) / np.hypot(x, y)
        ax.plot([0, length * u[0]], [0, length * u[1]], style, lw=1.8, label=label, zorder=0)


def plot(rows: list[dict], plot_steps: int = 200):
    fig, axes = new_figure(ncols=3, width=3.9, height=3.6)
    a, b, c = axes[0]
    cases = [k for k in ("tight", "loose") if any(r["case"] == k for r in rows)]
    for case in cases:
        svm = {r["label"]: r for r in rows if r["kind"] == "svm" and r["case"] == case}
        path = sorted((r for r in rows if r["kind"] == "path" and r["case"] == case), key=lambda r: r["step"])
        P = np.array([(r["p_x"], r["p_y"]) for r in path])
        V = np.array([(r["v_x"], r["v_y"]) for r in path])
        a.plot(P[:, 0], P[:, 1], _LS[case], color="k", lw=1.2, label=f"p path ({case})")
        if "p_relax" in svm:
            _ray(a, svm["p_relax"]["p_x"], svm["p_relax"]["p_y"], "r" + _LS[case], f"p^relax ({case})")
        if "p_mm" in svm and case == "loose":
            _ray(a, svm["p_mm"]["p_x"], svm["p_mm"]["p_y"], "--", "p^mm, un-relaxed (loose)")
        b.plot(V[:, 0], V[:, 1], _LS[case], color="k", lw=1.2, label=f"v path ({case})")
        if "v_mm" in svm and case == cases[0]:
            _ray(b, svm["v_mm"]["v_x"], svm["v_mm"]["v_y"], "b--", "v^mm direction", length=120.0)
        if case == "tight" or len(cases) == 1:
            early = [r for r in path if r["step"] <= plot_steps]
            s = [r["step"] for r in early]
            c.plot(s, [r["prob_rel"] for r in early], "r", lw=2, label=f"softmax prob. of relevant token ({case})")
            c.plot(s, [r["prob_logistic"] for r in early], "b", lw=2, label=f"logistic prob. ({case})")
    for line in a.get_lines():
        if line.get_label().startswith("p^mm, un-relaxed"):
            line.set_color("gray")
    a.set(xlabel="p_1", ylabel="p_2", title="(a) prompt p")
    b.set(xlabel="v_1", ylabel="v_2", title="(b) head v")
    c.set(xlabel="iteration", ylabel="probability", title="(c) probabilities", ylim=(0, 1.05))
    for ax in (a, b, c):
        ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
