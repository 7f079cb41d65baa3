"""Plot of ``urpe/lower-bound-sweep``: sup-error on constant inputs vs width, one line per family and depth,
with the bound alpha (n-1)/(2n) dashed; right panel the RMS error on mixed (Gaussian + constant) inputs."""

from __future__ import annotations

import numpy as np

from attnlab.paper_figs.style import new_figure

__all__ = ["plot"]

_COLOR = {"t5": "tab:red", "urpe": "tab:blue", "ape": "tab:green"}
_LABEL = {"t5": "RPE (T5)", "urpe": "URPE", "ape": "APE"}


def plot(rows: list[dict]):
    fig, axes = new_figure(ncols=2, width=4.2, height=3.2)
    depths = sorted({r["depth"] for r in rows})
    styles = dict(zip(depths, ("-", "--", ":", "-."), strict=False))
    for ax, metric in zip(axes[0], ("sup_error_constant", "rms_error_mixed"), strict=True):
        for fam in [f for f in _COLOR if any(r["family"] == f for r in rows)]:
            for depth in depths:
                mine = [r for r in rows if r["family"] == fam and r["depth"] == depth and r["metric"] == metric]
                widths = sorted({r["width"] for r in mine})
                vals = [np.mean([r["value"] for r in mine if r["width"] == w]) for w in widths]
                ax.plot(widths, vals, styles.get(depth, "-"), marker="o", color=_COLOR[fam],
                        label=f"{_LABEL[fam]}, {depth} layer(s)")
        if metric == "sup_error_constant" and rows:
            ax.axhline(rows[0]["bound"], color="k", ls="--", lw=1, label="bound alpha(n-1)/(2n)")
        ax.set_xscale("log", base=2)
        ax.set(yscale="log", xlabel="width d", ylabel=metric.replace("_", " "),
               title="constant inputs (sup-norm)" if metric.startswith("sup") else "mixed inputs (RMS)")
        ax.legend(fontsize=5)
    fig.tight_layout()
    return fig
