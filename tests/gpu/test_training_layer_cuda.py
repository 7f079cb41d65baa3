"""GPU tier: the training layer on CUDA equals its CPU run on small cases, stays causal, and resumes."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from attnlab.gpu.device import disable_tf32, get_device  # noqa: E402
from attnlab.gpu.training import MODEL_KINDS, Batch, ModelSpec, TrainSpec, build_model, masked_mse, train  # noqa: E402
from attnlab.theory._tolerances import TOL, assert_close  # noqa: E402

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

B, L, D_IN, D_OUT = 3, 5, 7, 11


def _spec(kind):
    return ModelSpec(kind=kind, d_in=D_IN, d_out=D_OUT, d_model=12, n_heads=2, max_len=13, n_loops=3)


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_cuda_model_equals_the_cpu_model_of_the_same_seed_and_is_causal(kind):
    disable_tf32()
    x = torch.randn(B, L, D_IN, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    cpu = build_model(_spec(kind), device="cpu", dtype=torch.float64, seed=4)
    dev = get_device("cuda")
    gpu = build_model(_spec(kind), device=dev, dtype=torch.float64, seed=4)
    with torch.no_grad():
        y = gpu(x.to(dev))
        assert_close(y.cpu().numpy(), cpu(x).numpy(), TOL.gpu_float64, f"{kind} on cuda vs cpu")
        x2 = x.clone()
        x2[:, 3:] += 1.0
        assert_close(gpu(x2.to(dev))[:, :3].cpu().numpy(), y[:, :3].cpu().numpy(), TOL.gpu_float64, f"{kind} causal")


def _sample(step, g):
    """y_t = x_t W with a fixed W (all entries 1/d_in)."""
    x = torch.randn(16, L, D_IN, generator=g, device=g.device, dtype=torch.float64)
    return Batch(x, x @ torch.full((D_IN, D_OUT), 1 / D_IN, dtype=x.dtype, device=x.device))


def test_a_resumed_cuda_run_matches_the_uninterrupted_one(tmp_path):
    disable_tf32()
    spec = TrainSpec(steps=8, batch=16, lr=1e-2, seed=2, eval_every=4, checkpoint_every=4)
    quiet = {"progress": lambda *a: None, "device": "cuda"}

    def run(steps, ckpt):
        model = build_model(_spec("gpt2"), device="cuda", dtype=torch.float64, seed=2)
        s = TrainSpec(**{**spec.to_dict(), "steps": steps})
        return train(model, _sample, masked_mse, s, checkpoint=ckpt, **quiet)

    whole = run(8, None)
    run(4, tmp_path / "c.pt")
    resumed = run(8, tmp_path / "c.pt")
    assert resumed.resumed_from == 4
    assert_close([r["value"] for r in resumed.rows], [r["value"] for r in whole.rows], TOL.gpu_float32, "rows")
    for p, q in zip(resumed.model.parameters(), whole.model.parameters(), strict=True):
        assert_close(p.detach().cpu().numpy(), q.detach().cpu().numpy(), TOL.gpu_float32, "resumed vs whole")
