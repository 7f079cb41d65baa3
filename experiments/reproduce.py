r"""Reproduce one figure: plan cells, run the sweep, summarise, compare with the paper, write artifacts.

Artifacts in ``<out>/figures/<figure-slug>/``: ``figure.png`` and ``figure.pdf`` (the plot of the
stored rows), ``rows.csv`` (every row), and ``summary.json`` (config, choices, our quantities and for
each reference quantity: ours, the paper's, tolerance, agrees).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from attnlab.experiments.config import canonical_json
from attnlab.experiments.executors import Executor
from attnlab.experiments.figures import get_figure
from attnlab.experiments.paths import figure_dir
from attnlab.experiments.reference import figure_reference
from attnlab.experiments.run_info import run_info
from attnlab.experiments.runner import plan_cells, run_sweep
from attnlab.experiments.store import ResultStore
from attnlab.experiments.verdict import compare
from attnlab.paper_figs.style import add_comparison_footer

__all__ = ["reproduce_figure", "Reproduction", "write_rows_csv", "variant_name", "caption"]


def variant_name(scale: str, overrides: dict[str, str]) -> str:
    """``""`` for the default smoke reproduction; else the scale and the overrides, e.g. ``paper`` or
    ``smoke+draws=500+seeds=0,1``: the folder suffix that keeps variants beside the default."""
    if scale == "smoke" and not overrides:
        return ""
    return "+".join([scale, *(f"{k}={v}" for k, v in sorted(overrides.items()))])


def caption(scale: str, overrides: dict[str, str], seeds, info: dict) -> str:
    """The provenance line drawn under every figure."""
    over = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) or "none"
    return (f"scale {scale}; overrides: {over}; seeds {','.join(map(str, seeds))}; "
            f"attnlab {info['version']} ({info['commit']}), {info['date']}")


@dataclass(frozen=True)
class Reproduction:
    figure_id: str
    out_dir: Path
    computed: int
    skipped: int
    comparisons: list[dict]


def write_rows_csv(rows: list[dict], path: Path) -> None:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def reproduce_figure(figure_id: str, scale: str, overrides: dict[str, str], store: ResultStore,
                     executor: Executor, out: Path, device: str | None = None) -> Reproduction:
    """Run (or load from the store) every cell of a figure on ``device`` and write its artifacts under ``out``."""
    figure = get_figure(figure_id)
    cfg = figure.config_cls.preset(scale).with_overrides(overrides)
    cells = plan_cells(figure, cfg, device)
    sweep = run_sweep(cells, store, executor, desc=figure_id)
    rows = store.rows([c.key for c in cells])
    ours = figure.summarize(rows)
    ref = figure_reference(figure_id)
    comparisons = compare(ours, ref.get("quantities", []), scale)

    target = figure_dir(out, figure_id, variant_name(scale, overrides))
    target.mkdir(parents=True, exist_ok=True)
    info = run_info()
    fig = figure.plot_fn()(rows)
    add_comparison_footer(fig, comparisons, caption(scale, overrides, cfg.seeds, info))
    fig.savefig(target / "figure.png", bbox_inches="tight")
    fig.savefig(target / "figure.pdf", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    write_rows_csv(rows, target / "rows.csv")
    summary = {
        "figure": figure.id,
        "paper": figure.paper,
        "title": figure.title,
        "locator": figure.locator,
        "reference_locator": ref.get("locator", ""),
        "scale": scale,
        "config": json.loads(canonical_json(cfg.to_dict())),
        "overrides": overrides,
        "choices": figure.choices,
        **info,
        "seeds": list(cfg.seeds),
        "variant": variant_name(scale, overrides),
        "device": cells[0].device if cells else "",
        "cells": [c.key for c in cells],
        "computed_cells": sweep.computed,
        "cached_cells": sweep.skipped,
        "ours": ours,
        "comparisons": comparisons,
    }
    (target / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, default=str))
    return Reproduction(figure.id, target, sweep.computed, sweep.skipped, comparisons)
