"""Cells, cache keys, the SQLite store, and the runner's resume behaviour."""

from __future__ import annotations

from dataclasses import replace

from attnlab.experiments.executors import make_executor
from attnlab.experiments.figures import get_figure
from attnlab.experiments.runner import Cell, plan_cells, run_sweep
from attnlab.experiments.softmax_icl.lipschitz_ratio_vs_n import Config
from attnlab.experiments.store import ResultStore

FIG = "softmax_icl/lipschitz-ratio-vs-n"
TINY = Config(seeds=(0, 1, 2), n_values=(3, 5), R_values=(1.0,), d=7, draws=4)


def test_cell_key_depends_on_config_seed_and_version_only():
    a = Cell(FIG, '{"d":7}', 0, "0.1.0")
    assert a.key == Cell(FIG, '{"d":7}', 0, "0.1.0").key
    assert len({a.key, Cell(FIG, '{"d":5}', 0, "0.1.0").key, Cell(FIG, '{"d":7}', 1, "0.1.0").key,
                Cell(FIG, '{"d":7}', 0, "0.2.0").key}) == 4


def test_adding_seeds_reuses_the_cells_already_stored(tmp_path):
    fig = get_figure(FIG)
    with ResultStore(tmp_path / "s.sqlite") as store:
        first = run_sweep(plan_cells(fig, TINY), store, make_executor("serial"))
        more = run_sweep(plan_cells(fig, replace(TINY, seeds=(0, 1, 2, 3))), store, make_executor("serial"))
    assert (first.computed, first.skipped) == (3, 0)
    assert (more.computed, more.skipped) == (1, 3)


def test_store_put_is_idempotent_and_keeps_row_order(tmp_path):
    with ResultStore(tmp_path / "s.sqlite") as store:
        rows = [{"i": i} for i in range(5)]
        assert store.put("k", FIG, "{}", 0, "v", rows, 0.1)
        assert not store.put("k", FIG, "{}", 0, "v", [{"i": 99}], 0.1)
        assert store.rows(["k"]) == rows
        assert store.count() == (1, 5)


def test_serial_and_process_executors_store_identical_rows(tmp_path):
    fig = get_figure(FIG)
    cells = plan_cells(fig, TINY)
    got = {}
    for name in ("serial", "process"):
        with ResultStore(tmp_path / f"{name}.sqlite") as store:
            run_sweep(cells, store, make_executor(name, workers=2))
            got[name] = [{k: v for k, v in r.items()} for r in store.rows([c.key for c in cells])]
    assert got["serial"] == got["process"]
    assert len(got["serial"]) == 3 * 2 * 1 * 4  # seeds x n x R x (2 variables x 2 stats)
