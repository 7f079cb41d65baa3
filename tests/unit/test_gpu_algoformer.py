"""attnlab.gpu.algoformer meets theory/algoformer on small float64 CPU cases (distinct sizes 3, 5, 7)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.gpu.algoformer import blocks as gb
from attnlab.gpu.algoformer.gd_loop import gd_direct_predictions, gd_loop_predictions
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.algoformer import gd_step, newton
from attnlab.theory.algoformer import representation as rp
from attnlab.theory.algoformer.baselines import gd_iterates
from attnlab.theory.algoformer.block import MLP, Block, Head, apply_block, run_loop

B = 5


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize("n,d", [(3, 5), (7, 3), (5, 7)])
def test_batched_gd_loop_equals_theory_per_prompt_with_per_prompt_steps(rng, n, d):
    X, y, xq = rng.normal(size=(B, n, d)), rng.normal(size=(B, n)), rng.normal(size=(B, d))
    eta = rng.uniform(0.05, 0.3, size=B)
    ours = gd_loop_predictions(_t(X), _t(y), _t(xq), _t(eta), 17).numpy()
    ref = np.stack([gd_step.gd_loop_predictions(X[b], y[b], xq[b], eta[b], 17) for b in range(B)], axis=1)
    assert_close(ours, ref, TOL.gpu_float64, "torch gd loop")
    full = gd_loop_predictions(_t(X), _t(y), _t(xq), _t(eta), 17, full=True).numpy()
    assert_close(full, ref, TOL.gpu_float64, "torch gd loop, generic block")
    direct = np.stack([gd_iterates(X[b], y[b], eta[b], 17) @ xq[b] for b in range(B)], axis=1)
    assert_close(gd_direct_predictions(_t(X), _t(y), _t(xq), _t(eta), 17).numpy(), direct, TOL.gpu_float64, "direct")


def test_generic_torch_block_equals_theory_on_every_head_kind(rng):
    D, N = 5, 7
    heads = tuple(Head(rng.normal(size=(D, D)) / 3, rng.normal(size=(D, D)) / 3, rng.normal(size=(D, D)) / 3,
                       kind=k, keys=(0, 2, 3) if k != "softmax" else None, beta=2.0) for k in ("linear", "relu", "softmax"))
    blk = Block((heads, MLP(rng.normal(size=(3, D)), rng.normal(size=(D, 3)))))
    H = rng.normal(size=(B, N, D))
    assert_close(gb.apply_block(_t(H), gb.to_torch(blk)).numpy(), apply_block(H, blk), TOL.gpu_float64, "block")


def test_torch_newton_and_representation_loops_equal_theory(rng):
    X, y, xq = rng.normal(size=(B, 11, 3)), rng.normal(size=(B, 11)), rng.normal(size=(B, 3))
    model = newton.newton_algoformer(3, 11, 0.1)
    H0 = newton.newton_tokens(X, y, xq)
    for pre in model.pre:
        H0 = gb.apply_block(_t(H0), gb.to_torch(pre)).numpy()
    ours = gb.run_loop(_t(H0), gb.to_torch(model.loop), 9).numpy()
    assert_close(ours, run_loop(H0, model.loop, 9), TOL.gpu_float64, "newton loop")
    Bs = [rng.normal(size=(5, 3))]
    rep = rp.representation_algoformer(Bs, 0.2, 7, 0.1, copy_kind="softmax", beta=9.0)
    H = rp.representation_tokens(rng.normal(size=(B, 7, 3)), rng.normal(size=(B, 7)), rng.normal(size=(B, 3)), 5)
    assert_close(gb.apply_block(_t(H), gb.to_torch(rep.pre[0])).numpy(), apply_block(H, rep.pre[0]),
                 TOL.gpu_float64, "softmax-copy pre")


def test_windowed_loops_match_the_models_own_per_loop_outputs():
    from attnlab.gpu.algoformer.models import AlgoFormerNet, WindowedLoops
    from attnlab.gpu.training import ModelSpec, build_model

    x = torch.randn(3, 7, 5, generator=torch.Generator().manual_seed(0))
    looped = build_model(ModelSpec(kind="looped", d_in=5, d_out=2, d_model=8, n_layers=1, n_heads=2, max_len=7), seed=1)
    algo = AlgoFormerNet(5, 2, 8, 2, 7, n_loops=4, seed=1)
    for model in (looped, algo):
        outs = model.outputs_per_loop(x, 4)
        win = WindowedLoops(model, 4, 3)(x)
        assert win.shape == (3, 7, 2, 3)
        assert torch.allclose(win, torch.stack(outs[1:], -1), atol=1e-6)
        assert torch.allclose(model(x, n_loops=4), outs[-1])
