"""tf_svm figures and benchmarks at tiny sizes: tidy, deterministic rows, reference names, plots, config errors."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from attnlab.experiments.tf_svm import bench as bench_tf_svm
from attnlab.experiments.tf_svm import local_convergence as a3
from attnlab.experiments.tf_svm import svm_rank_vs_d as a2
from attnlab.experiments.tf_svm._batch import batched_ngd, make_batch, official_init
from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.errors import ConfigError
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_w

TINY = {
    "a3": (a3, replace(a3.Config.smoke(), n=3, T=4, d=5, instances=3, steps=40, log_every=10)),
    "a2": (a2, replace(a2.Config.smoke(), n_values=(3,), T_values=(4,), d_values=(1, 3), instances=2)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {k: (mod, cfg, mod.run(cfg, 0)) for k, (mod, cfg) in TINY.items()}


def test_rank_rows_count_infeasible_as_status_not_rank(tiny_rows):
    _, _, rows = tiny_rows["a2"]
    corrected_d1 = [r for r in rows if r["method"] == "corrected" and r["d"] == 1]
    assert any(r["status"] == "infeasible" for r in corrected_d1)
    assert all(math.isnan(r["rank"]) for r in corrected_d1 if r["status"] != "optimal")
    official_infeasible = [r for r in rows if r["method"] == "official" and r["status"] == "infeasible"]
    assert official_infeasible and all(r["rank"] == 1.0 for r in official_infeasible)  # the notebook's bias


@pytest.mark.parametrize("mod,bad", [
    (a3, {"T": 1}), (a3, {"log_every": 0}), (a3, {"instances": 0}),
    (a2, {"d_values": ()}), (a2, {"T_values": (1,)}), (a2, {"instances": 0}),
])
def test_bad_config_raises_config_error(mod, bad):
    with pytest.raises(ConfigError):
        replace(mod.Config.smoke(), **bad)


def test_batched_ngd_matches_the_per_instance_loop():
    b = make_batch(3, 5, 7, range(4))
    W0 = official_init(np.random.default_rng(1), 4, 7)
    cfg = GdConfig(steps=60)
    _, logW, _ = batched_ngd(b, W0, cfg, device="cpu")
    loop = np.stack([run_gd_w(b.X[i], b.Z[i], b.v[i], b.Y[i], W0[i], cfg).W for i in range(4)])
    assert is_close(logW[-1], loop, TOL.gpu_float64)


def test_benchmarks_run_at_tiny_size():
    for res in (bench_tf_svm.bench_batched_ngd(batch=3, n=2, T=3, d=3, steps=5),
                bench_tf_svm.bench_local_convergence(instances=2, baseline_instances=1, steps=5)):
        assert res["baseline_s"] > 0 and res["ours_s"] > 0
    res = bench_tf_svm._official_rank_loop(replace(a2.Config.smoke(), n_values=(2,), T_values=(3,), d_values=(2,),
                                                   instances=1))
    assert res is None


def test_rank_rows_do_not_depend_on_the_worker_split(monkeypatch):
    cfg = replace(a2.Config.smoke(), n_values=(3,), T_values=(4,), d_values=(1, 3), instances=2, official=False)
    serial = a2.run(cfg, 0, workers=1)
    monkeypatch.setattr(a2, "_POOL_MIN_SOLVES", 0)
    pooled = a2.run(cfg, 0, workers=2)
    assert [(r["d"], r["instance"], r["norm"], r["status"]) for r in serial] == \
        [(r["d"], r["instance"], r["norm"], r["status"]) for r in pooled]
    a, b = np.array([r["rank"] for r in serial]), np.array([r["rank"] for r in pooled])
    assert np.array_equal(a, b, equal_nan=True)


def test_batched_ngd_clamps_saturated_logits_without_changing_the_softmax():
    from attnlab.experiments.tf_svm._batch import _grad_w

    b = make_batch(3, 5, 7, range(2))
    W = 1e3 * official_init(np.random.default_rng(2), 2, 7)  # logit gaps far below -745
    G, s = _grad_w(b.X, b.Z, b.gamma, W)
    logits = (b.X @ (b.Z @ np.swapaxes(W, 1, 2))[..., None])[..., 0]  # the batched code's arithmetic, unclamped
    assert logits.min() - logits.max() < -745
    e = np.exp(logits - logits.max(-1, keepdims=True))
    assert np.array_equal(s, e / e.sum(-1, keepdims=True)) and np.all(np.isfinite(G))


def test_svm_rank_pool_equals_serial_and_leaves_the_parent_environment_alone(monkeypatch):
    import os

    from attnlab.experiments.tf_svm import svm_rank_vs_d as m

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "7")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(m, "_POOL_MIN_SOLVES", 1)
    cells = [(2, 3, 2, [0]), (2, 3, 3, [1])]
    assert m._map_cells(cells, 2) == m._map_cells(cells, 1)
    assert os.environ["OPENBLAS_NUM_THREADS"] == "7" and "OMP_NUM_THREADS" not in os.environ
