"""Regression: plots pool the cells of one config across seeds (the runner adds seed and cell_key to rows)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from attnlab.paper_figs.softmax_icl.training import plot


def _rows(seed: int) -> list[dict]:
    return [{"step": s, "metric": m, "value": 1.0 + seed + s, "n": 25, "d": 20, "seed": seed, "cell_key": f"k{seed}"}
            for s in (0, 100) for m in ("loss_tf", "loss_gd", "preds_diff", "model_diff", "model_cos")]


def test_training_plot_draws_one_panel_row_for_two_seeds_of_one_config():
    fig = plot(_rows(0) + _rows(1))
    assert len(fig.axes) == 3, "seeds or cell keys must not split a config into separate panel rows"
    assert "cell_key" not in fig.axes[0].get_title()
    plt.close(fig)
