"""Benchmarks of the tf_svm figures: batched NGD, and the A3 / A2 experiments against official-style code.

Each function returns ``baseline_s`` and ``ours_s`` measured in the same run. Where the official-style baseline
is too slow to run at full size it is timed on a subset and scaled linearly; the dict says so
(``baseline_scaled_from``).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from attnlab.experiments.tf_svm._batch import KQ_REG, batched_ngd, make_batch, official_init
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_w

__all__ = ["bench_batched_ngd", "bench_local_convergence", "bench_svm_rank"]


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_batched_ngd(batch: int = 100, n: int = 6, T: int = 8, d: int = 10, steps: int = 500) -> dict:
    """Batched NGD on W for ``batch`` instances vs a loop of attnlab.theory.tf_svm.attention_gd.run_gd_w (same iteration)."""
    b = make_batch(n, T, d, range(batch))
    W0 = official_init(np.random.default_rng(0), batch, d)
    cfg = GdConfig(steps=steps)
    warm_s, _ = _timed(lambda: batched_ngd(b, W0, GdConfig(steps=1)))  # device probe, numba kernel load: apart
    ours_s, (_, logW, _) = _timed(lambda: batched_ngd(b, W0, cfg))
    base_s, loop = _timed(lambda: [run_gd_w(b.X[i], b.Z[i], b.v[i], b.Y[i], W0[i], cfg).W for i in range(batch)])
    err = float(np.max(np.abs(np.stack(loop) - logW[-1])) / max(1.0, float(np.max(np.abs(logW[-1])))))
    return {"baseline_s": base_s, "ours_s": ours_s, "max_rel_diff": err, "warm_up_s": warm_s,
            "ours_excludes": "the one-off device probe (torch import) and numba kernel load, paid once per process "
            "by both sides (warm_up_s)",
            "baseline": f"attnlab.theory.tf_svm.attention_gd.run_gd_w in a Python loop over {batch} instances",
            "ours": "attnlab.experiments.tf_svm._batch.batched_ngd: one batched run of the engine (numpy on CPU, the torch "
            "twin attnlab.gpu.tf_svm.attention_gd on CUDA)",
            "shape": {"batch": batch, "n": n, "T": T, "d": d, "steps": steps}}


def _notebook_ngd(X, Z, v, Y, params, steps: int, eta: float, kq_reg: float = 0.0) -> list[np.ndarray]:
    r"""The notebook's training loop for one instance, as local_converge.ipynb writes it: torch autograd on
    the logistic loss :math:`\frac1n\sum_i \log(1 + e^{-Y_i v^\top X_i^\top \mathbb S(X_i W z_i)})` in torch's
    default float32, a normalised step :math:`W \leftarrow W - \eta g/\|g\|` per parameter, and every iterate of
    :math:`W` (or :math:`KQ^\top`) kept. Independent of attnlab's GD engine, so the baseline does not speed up
    when the package does."""
    import torch

    Xt, Zt, vt, Yt = (torch.as_tensor(np.asarray(a), dtype=torch.float32) for a in (X, Z, v, Y))
    ps = [torch.tensor(np.asarray(p), dtype=torch.float32, requires_grad=True) for p in params]
    kept = []
    for _ in range(steps):
        W = ps[0] if len(ps) == 1 else ps[0] @ ps[1].T
        s = torch.softmax(torch.einsum("ntd,de,ne->nt", Xt, W, Zt), dim=1)
        f = torch.einsum("nt,ntd,d->n", s, Xt, vt)
        loss = torch.nn.functional.softplus(-Yt * f).mean() + kq_reg * sum((p * p).sum() for p in ps)
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p -= eta * p.grad / p.grad.norm()
                p.grad = None
        kept.append((ps[0] if len(ps) == 1 else ps[0] @ ps[1].T).detach().numpy().copy())
    return kept


def _official_style_local(cfg, inst_ids, seed: int = 0):
    """The notebook's structure: per instance, a W-run and a (K,Q)-run keeping every iterate, correlations at every
    step, alpha read off the final iterate, and both SVMs built as fresh cvxpy problems."""
    from attnlab.experiments.tf_svm.svm_rank_vs_d import official_style_svm

    b = make_batch(cfg.n, cfg.T, cfg.d, inst_ids)
    rng = np.random.default_rng([seed, 3])
    for i in range(len(inst_ids)):
        W0, K0, Q0 = (official_init(rng, 1, cfg.d)[0] for _ in range(3))
        runs = [_notebook_ngd(b.X[i], b.Z[i], b.v[i], b.Y[i], [W0], cfg.steps, cfg.eta),
                _notebook_ngd(b.X[i], b.Z[i], b.v[i], b.Y[i], [K0, Q0], cfg.steps, cfg.eta, KQ_REG)]
        for iterates in runs:
            logits = np.einsum("ntd,de,ne->nt", b.X[i], iterates[-1], b.Z[i])
            alpha = np.argmax(logits, axis=1)
            for norm in ("fro", "nuc"):
                S, _, _ = official_style_svm(b.X[i], b.Z[i], alpha, norm)
                if S is not None:
                    [float(np.sum(W * S) / (np.linalg.norm(W) * np.linalg.norm(S))) for W in iterates]


def bench_local_convergence(instances: int = 100, baseline_instances: int = 5, steps: int = 2000) -> dict:
    """A3 at official size (ours: batched, cached SVMs) vs the official-style loop on a subset, scaled."""
    from attnlab.experiments.tf_svm.local_convergence import Config, run
    from attnlab.gpu.device import get_device

    cfg = replace(Config.paper(), instances=instances, steps=steps, log_every=min(10, steps))
    probe_s, dev = _timed(lambda: get_device(None))  # one-off torch import + CUDA probe, reported apart
    ours_s, _ = _timed(lambda: run(cfg, 0))
    k = min(baseline_instances, instances)
    base_sub, _ = _timed(lambda: _official_style_local(cfg, range(k)))
    return {"baseline_s": base_sub * instances / k, "ours_s": ours_s, "baseline_measured_s": base_sub,
            "baseline_scaled_from": f"{k} of {instances} instances, scaled linearly",
            "baseline": "the notebook's structure: per-instance NGD loops in torch autograd (float32, every iterate kept; "
            "independent of attnlab's engine), alpha post hoc, cvxpy problem rebuilt per solve with the default solver",
            "ours": "attnlab.experiments.tf_svm.local_convergence.run: batched NGD, alpha fixed, Att-SVMs by Clarabel on the "
            "dual problems (attnlab.theory.tf_svm._margin_qp, direct), each certified",
            "ours_excludes": f"the one-off torch import / device probe ({probe_s:.2f}s here, device {dev}), paid "
            "once per process by any gpu-aware experiment; it is in neither side",
            "device_probe_s": probe_s,
            "shape": {"instances": instances, "n": cfg.n, "T": cfg.T, "d": cfg.d, "steps": steps}}


def bench_svm_rank(per_cell: int = 2, instances: int = 100, workers: int = 2) -> dict:
    """A2 on the official grid (5 (n,T) pairs x 8 d): ours (parameterised Clarabel, one sweep cell per (n, T, d),
    run by the process executor with ``workers`` workers) vs the official-style rebuild (serial), both timed on
    ``per_cell`` instances per cell and scaled to ``instances`` per cell.

    Scaling of ours: the measured pool run is split into compute (the cells' own wall times, spread over the
    workers) and the rest (spawning workers, imports), and only the compute is scaled."""
    from attnlab.experiments.executors import ProcessExecutor
    from attnlab.experiments.figures import get_figure
    from attnlab.experiments.runner import execute_cell, plan_cells
    from attnlab.experiments.tf_svm.svm_rank_vs_d import Config

    cfg = replace(Config.paper(), instances=per_cell, official=False)
    cells = plan_cells(get_figure("tf_svm/svm-rank-vs-d"), cfg)
    pool_s, done = _timed(lambda: list(ProcessExecutor(workers).map_unordered(execute_cell, cells)))
    compute_s = sum(wall for _, (_, wall) in done) / workers
    fixed_s = max(pool_s - compute_s, 0.0)
    base_sub, _ = _timed(lambda: _official_rank_loop(cfg))
    scale = instances / per_cell
    return {"baseline_s": base_sub * scale, "ours_s": fixed_s + compute_s * scale, "baseline_measured_s": base_sub,
            "ours_measured_s": pool_s, "ours_fixed_s": fixed_s,
            "baseline_scaled_from": f"{per_cell} of {instances} instances per cell, scaled linearly (ours: only the "
            "cells' compute is scaled, the pool start-up is counted once)",
            "baseline": "cvxpy problem rebuilt per solve, default solver (SCS for the nuclear SDP), abs tol 1e-7; serial",
            "ours": "Clarabel on the dual problems (attnlab.theory.tf_svm._margin_qp, direct; cvxpy primal as fallback), "
            f"status and certificate checked, relative rank; {len(cells)} cells (one per (n, T, d)) on the process "
            f"executor with {workers} workers",
            "shape": {"pairs": 5, "d_values": list(cfg.d_values), "instances_per_cell": instances, "workers": workers}}


def _official_rank_loop(cfg):
    from attnlab.experiments.tf_svm.svm_rank_vs_d import OFFICIAL_RANK_TOL, nt_pairs, official_style_svm
    from attnlab.theory.tf_svm.examples import random_instance

    for n, T in nt_pairs(cfg):
        for d in cfg.d_values:
            for j in range(cfg.instances):
                inst = random_instance(n, T, d, seed=j)
                alpha = np.argmax(inst.X @ inst.v, axis=1)
                for norm in ("fro", "nuc"):
                    W, _, _ = official_style_svm(inst.X, inst.Z, alpha, norm)
                    np.linalg.matrix_rank(W, tol=OFFICIAL_RANK_TOL)
