"""One plotting style: the non-interactive Agg backend and small, readable defaults."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plt", "new_figure", "add_comparison_footer"]

plt.rcParams.update({"figure.dpi": 110, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3})


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 4.0, height: float = 3.2):
    """A figure with ``nrows x ncols`` axes (always a 2-D array of axes)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    return fig, axes


def add_comparison_footer(fig, comparisons: list[dict], caption: str) -> None:
    """Write the paper's reference values beside ours under the axes, with each verdict, and a caption line.

    ``comparisons`` are plain dicts with ``quantity``, ``ours``, ``paper``, ``relation``, ``tolerance``,
    ``agrees``, ``verdict`` and ``provenance`` (what ``attnlab reproduce`` computes); ``caption`` names the scale, the
    overrides, the seeds and the version. A disagreement is drawn in red.
    """
    def num(v):
        return "-" if v is None else (f"{v:.4g}" if isinstance(v, (int, float)) else str(v))

    lines = [(f"{q['quantity']}: ours {num(q['ours'])} | paper {q['relation']} {num(q['paper'])}"
              f" (tol {num(q['tolerance'])}, {q['provenance']}) -> {q['verdict']}", q["agrees"])
             for q in comparisons]
    lines.append((caption, None))
    step = 0.16 / fig.get_figheight()  # one 7-point line, in figure coordinates
    for i, (text, agrees) in enumerate(lines):
        # below the canvas: savefig(bbox_inches="tight") grows the image to include it
        fig.text(0.01, -0.02 - (i + 1) * step, text, fontsize=7, family="monospace",
                 color="#b00000" if agrees is False else ("#555555" if i == len(lines) - 1 else "#222222"))
