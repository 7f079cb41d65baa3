"""attnlab.gpu.training: shapes, causality, determinism, resume == uninterrupted, a tiny model learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.gpu.training import (
    MODEL_KINDS,
    Batch,
    ModelSpec,
    TrainSpec,
    build_model,
    masked_mse,
    per_position,
    train,
)
from attnlab.theory._tolerances import TOL, assert_close, is_close
from attnlab.theory.errors import ConfigError, InvalidInputError

B, L, D_IN, D_OUT = 3, 5, 7, 11  # batch, length, read-in, read-out: distinct sizes so swapped axes fail
QUIET = {"progress": lambda step, total, loss: None, "device": "cpu"}


def _spec(kind: str, **kw) -> ModelSpec:
    return ModelSpec(kind=kind, d_in=D_IN, d_out=D_OUT, **{"d_model": 12, "n_heads": 2, "max_len": 13, "n_loops": 3, **kw})


def _x(seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    return torch.randn(B, L, D_IN, generator=torch.Generator().manual_seed(seed), dtype=dtype)


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_every_kind_maps_batch_length_d_in_to_batch_length_d_out(kind):
    model = build_model(_spec(kind), device="cpu")
    assert model(_x(dtype=torch.float32)).shape == (B, L, D_OUT)


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_perturbing_later_tokens_never_changes_earlier_outputs(kind):
    model = build_model(_spec(kind), device="cpu", dtype=torch.float64)
    x = _x()
    for t in range(L - 1):
        y = x.clone()
        y[:, t + 1:] += torch.randn(B, L - t - 1, D_IN, generator=torch.Generator().manual_seed(t), dtype=x.dtype)
        with torch.no_grad():
            assert_close(model(y)[:, : t + 1].numpy(), model(x)[:, : t + 1].numpy(), TOL.gpu_float64,
                         f"{kind}: outputs up to position {t}")


def test_a_non_causal_decoder_does_see_later_tokens():
    """Negative control for the causality test: without the mask, earlier outputs move."""
    model = build_model(_spec("gpt2", causal=False), device="cpu", dtype=torch.float64)
    x = _x()
    y = x.clone()
    y[:, -1] += 1.0
    with torch.no_grad():
        assert not is_close(model(y)[:, 0].numpy(), model(x)[:, 0].numpy(), TOL.gpu_float64)


def test_looped_outputs_per_loop_end_with_the_model_output_and_depend_on_the_loop_count():
    model = build_model(_spec("looped"), device="cpu", dtype=torch.float64)
    x = _x()
    with torch.no_grad():
        outs = model.outputs_per_loop(x, 4)
        assert len(outs) == 4 and all(o.shape == (B, L, D_OUT) for o in outs)
        assert_close(outs[-1].numpy(), model(x, n_loops=4).numpy(), TOL.gpu_float64, "last loop vs model(x, 4)")
        assert_close(outs[2].numpy(), model(x).numpy(), TOL.gpu_float64, "default n_loops = spec.n_loops = 3")
        assert not is_close(outs[0].numpy(), outs[-1].numpy(), TOL.gpu_float64)


def test_the_same_seed_builds_the_same_weights_and_another_seed_does_not():
    a, b, c = (build_model(_spec("gpt2"), device="cpu", seed=s) for s in (5, 5, 6))
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
    assert any(not torch.equal(p, r) for p, r in zip(a.parameters(), c.parameters(), strict=True))


@pytest.mark.parametrize("bad", [{"kind": "rnn"}, {"d_model": 13}, {"position": "sinusoidal"}, {"d_in": 0},
                                 {"kind": "lstm", "causal": False}])
def test_an_invalid_model_spec_is_a_config_error(bad):
    with pytest.raises(ConfigError):
        ModelSpec(**{"kind": "gpt2", "d_in": 3, "d_out": 5, "d_model": 12, "n_heads": 2, **bad})


def test_inputs_longer_than_max_len_are_refused():
    model = build_model(_spec("gpt2", max_len=4), device="cpu")
    with pytest.raises(InvalidInputError):
        model(_x(dtype=torch.float32))


def test_per_position_averages_over_the_counted_rows_only():
    pred = torch.tensor([[1.0, 2.0, -1.0], [3.0, 0.0, 1.0]], dtype=torch.float64)  # (B=2, L=3)
    target = torch.tensor([[0.0, 2.0, 1.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    batch = Batch(torch.zeros(2, 3, 5), target, mask)
    mse = per_position(pred, batch, "mse")
    assert_close(mse[:2].numpy(), np.array([(1.0 + 4.0) / 2, 0.0]), TOL.float64_exact, "mse per position")
    assert torch.isnan(mse[2])
    acc = per_position(pred, batch, "accuracy_sign")
    assert_close(acc[:2].numpy(), np.array([0.5, 1.0]), TOL.float64_exact, "sign accuracy per position")
    assert_close(masked_mse(pred, batch).item(), (1.0 + 0.0 + 4.0) / 3, TOL.float64_exact, "masked mse")
    with pytest.raises(InvalidInputError):
        per_position(pred, batch, "mae")


# --- the loop ------------------------------------------------------------------------------------

_W = torch.randn(D_IN, D_OUT, generator=torch.Generator().manual_seed(99)) / D_IN**0.5


def _sample(step: int, g: torch.Generator) -> Batch:
    """A trivial task: y_t = x_t W (the same linear map at every position)."""
    x = torch.randn(16, L, D_IN, generator=g)
    return Batch(x, x @ _W)


def _evaluate(model, step):
    with torch.no_grad():
        x = torch.randn(32, L, D_IN, generator=torch.Generator().manual_seed(123))
        err = per_position(model(x), Batch(x, x @ _W), "mse")
    return [{"metric": "eval_mse", "value": float(err.mean()), "position": "all"}]


def _run(spec: TrainSpec, **kw):
    model = build_model(_spec("gpt2", d_model=16), device="cpu", seed=spec.seed)
    return train(model, _sample, masked_mse, spec, evaluate=_evaluate, **QUIET, **kw)


def _same(a, b) -> bool:
    return a.rows == b.rows and all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True))


def test_a_tiny_decoder_learns_a_linear_map_at_every_position():
    res = _run(TrainSpec(steps=150, batch=16, lr=1e-2, seed=0, eval_every=50))
    evals = [r["value"] for r in res.rows if r["metric"] == "eval_mse"]
    assert [r["step"] for r in res.rows if r["metric"] == "eval_mse"] == [0, 50, 100, 150]
    assert evals[-1] < 0.2 * evals[0], evals


def test_training_is_determined_by_the_seed():
    spec = TrainSpec(steps=12, batch=16, lr=1e-2, seed=3, eval_every=4)
    a, b = _run(spec), _run(spec)
    assert _same(a, b)
    c = _run(TrainSpec(steps=12, batch=16, lr=1e-2, seed=4, eval_every=4))
    assert a.rows != c.rows


class _Interrupt(Exception):
    pass


def test_a_resumed_run_equals_the_uninterrupted_run(tmp_path):
    spec = TrainSpec(steps=12, batch=16, lr=1e-2, seed=1, eval_every=4, checkpoint_every=3)
    whole = _run(spec)
    ckpt = tmp_path / "run.pt"

    def stop_at_8(step, total, loss):
        if step == 8:
            raise _Interrupt

    model = build_model(_spec("gpt2", d_model=16), device="cpu", seed=spec.seed)
    with pytest.raises(_Interrupt):
        train(model, _sample, masked_mse, spec, evaluate=_evaluate, checkpoint=ckpt, device="cpu", progress=stop_at_8)
    resumed = _run(spec, checkpoint=ckpt)
    assert resumed.resumed_from == 6 and resumed.steps_done == 12
    assert _same(resumed, whole)
    again = _run(spec, checkpoint=ckpt)  # a finished run returns its rows at once
    assert again.resumed_from == 12 and _same(again, whole)


def test_resuming_under_another_spec_is_refused(tmp_path):
    ckpt = tmp_path / "run.pt"
    _run(TrainSpec(steps=4, batch=16, lr=1e-2, seed=1, eval_every=2), checkpoint=ckpt)
    with pytest.raises(ConfigError, match="lr"):
        _run(TrainSpec(steps=4, batch=16, lr=2e-2, seed=1, eval_every=2), checkpoint=ckpt)


def test_rows_carry_the_step_train_loss_and_the_evaluate_labels():
    res = _run(TrainSpec(steps=5, batch=16, lr=1e-2, seed=0, eval_every=2))
    assert {(r["step"], r["metric"]) for r in res.rows} == {
        (0, "eval_mse"), *((s, m) for s in (2, 4, 5) for m in ("train_loss", "eval_mse"))}
    assert all(r["position"] == "all" for r in res.rows if r["metric"] == "eval_mse")
    assert res.resumed_from is None


def test_training_runs_with_one_cpu_thread_by_default_and_restores_the_setting(monkeypatch):
    from attnlab.gpu.training import cpu_threads

    before = torch.get_num_threads()
    seen = []
    with cpu_threads(torch.device("cpu")):
        seen.append(torch.get_num_threads())
    monkeypatch.setenv("ATTNLAB_TRAIN_THREADS", "2")
    with cpu_threads(torch.device("cpu")):
        seen.append(torch.get_num_threads())
    assert seen == [1, 2] and torch.get_num_threads() == before
    monkeypatch.setenv("ATTNLAB_TRAIN_THREADS", "zero")
    with pytest.raises(ConfigError), cpu_threads(torch.device("cpu")):
        pass


def test_console_progress_off_a_terminal_prints_at_most_five_plain_lines(monkeypatch):
    import io

    from attnlab.gpu.training import console_progress

    monkeypatch.setenv("ATTNLAB_PROGRESS", "1")
    out = io.StringIO()
    report = console_progress("run", stream=out)
    for step in range(1, 101):
        report(step, 100, 0.5)
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= 5 and "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert lines[-1].startswith("run 100/100")
