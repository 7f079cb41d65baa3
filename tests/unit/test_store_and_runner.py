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


def test_cell_key_depends_on_config_seed_version_device_and_dtype_only():
    a = Cell(FIG, '{"d":7}', 0, "0.1.0")
    assert a.key == Cell(FIG, '{"d":7}', 0, "0.1.0", "cpu", "float64").key
    assert len({a.key, Cell(FIG, '{"d":5}', 0, "0.1.0").key, Cell(FIG, '{"d":7}', 1, "0.1.0").key,
                Cell(FIG, '{"d":7}', 0, "0.2.0").key, Cell(FIG, '{"d":7}', 0, "0.1.0", "cuda").key,
                Cell(FIG, '{"d":7}', 0, "0.1.0", "cpu", "float32").key}) == 6


def test_a_cpu_cell_is_not_served_to_a_cuda_request(monkeypatch):
    import attnlab.gpu.device as device

    fig = get_figure("tf_svm/local-convergence")
    assert fig.takes_device
    cfg = fig.config_cls.smoke()
    cpu = plan_cells(fig, cfg, "cpu")
    monkeypatch.setattr(device, "get_device", lambda explicit=None: "cuda")  # as on a machine with CUDA
    cuda = plan_cells(fig, cfg, "cuda")
    assert [c.device for c in cpu] == ["cpu"] and [c.device for c in cuda] == ["cuda"]
    assert not {c.key for c in cpu} & {c.key for c in cuda}


def test_a_figure_that_computes_on_the_cpu_is_keyed_cpu_whatever_device_is_asked():
    fig = get_figure(FIG)
    assert not fig.takes_device
    assert [c.device for c in plan_cells(fig, TINY, "cuda")] == ["cpu"] * 3  # never probes CUDA for it


def test_the_cell_dtype_is_the_configs_dtype_field():
    fig = get_figure("softmax_icl/fig1-training")
    cfg = replace(fig.config_cls.smoke(), dtype="float64")
    assert {c.dtype for c in plan_cells(fig, cfg, "cpu")} == {"float64"}
    assert {c.dtype for c in plan_cells(fig, replace(cfg, dtype="float32"), "cpu")} == {"float32"}


def test_the_cells_device_reaches_run_as_an_argument_not_through_the_environment(monkeypatch):
    from attnlab.experiments import runner
    from attnlab.gpu.device import ENV_VAR

    seen = {}
    fig = get_figure("tf_svm/local-convergence")
    fake = replace(fig, run=lambda cfg, seed, device=None: seen.setdefault("device", device) and [])
    monkeypatch.setattr(runner, "get_figure", lambda _id: fake)
    monkeypatch.setenv(ENV_VAR, "cuda")  # must be ignored: the cell says cpu
    runner.execute_cell(plan_cells(fig, fig.config_cls.smoke(), "cpu")[0])
    assert seen["device"] == "cpu"


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
