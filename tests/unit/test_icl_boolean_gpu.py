"""gpu/icl_boolean meets theory/icl_boolean on CPU: labels and teaching rows bit for bit, sampling laws in law,
the encoding, and causality of every training-layer model on the encoded prompts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import fisher_exact

from attnlab.gpu.icl_boolean.prompts import bce_loss, encode, scores_at_x, to_batch
from attnlab.gpu.icl_boolean.sampler import labels_of, sample_torch, teaching_rows
from attnlab.gpu.training import MODEL_KINDS, ModelSpec, build_model
from attnlab.proofs_checks.icl_boolean.stats import ALPHA, binomial_surprise
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.icl_boolean import TASKS, encode_prompt, sample_task
from attnlab.theory.icl_boolean._bits import unpack_bool, unpack_pm1
from attnlab.theory.icl_boolean.closed_forms import CLOSED_FORM_TASKS, p_plus

n, N, B = 7, 11, 13


def _weights(d):
    p = d.params
    if "pos" in p:
        return unpack_bool(p["pos"], d.n_dims).astype(np.float32) - unpack_bool(p["neg"], d.n_dims)
    if d.task == "majority":
        return unpack_pm1(p["w"], d.n_dims).astype(np.float32)
    if d.task == "int_halfspace":
        return p["w"].astype(np.float32)
    return unpack_bool(p["S"], d.n_dims).astype(np.float32)


@pytest.mark.parametrize("task", [t for t in TASKS if t != "nearest_neighbour"])
def test_torch_labels_equal_theory_labels_on_the_same_draw(task):
    d = sample_task(task, n, N, B, seed=3)
    extra = {"b": torch.tensor(d.params["b"], dtype=torch.float32)} if "b" in d.params else {}
    y = labels_of(task, torch.tensor(d.X, dtype=torch.float32), torch.tensor(_weights(d)), extra)
    assert np.array_equal(y.numpy(), d.y)


@pytest.mark.parametrize("task", ["mono_conjunction_teach", "conjunction_teach", "dnf3_teach"])
def test_torch_teaching_prefix_equals_theory_on_the_same_functions(task):
    d = sample_task(task, n, 40, B, seed=4)
    rows, L = teaching_rows(task, torch.tensor(_weights(d)))
    assert np.array_equal(L.numpy(), d.teach_len)
    for b in range(B):
        assert np.array_equal(rows[b, : L[b]].numpy(), d.X[b, : L[b]])


@pytest.mark.parametrize("task", CLOSED_FORM_TASKS)
def test_torch_sampler_label_balance_matches_the_closed_form(task):
    g = torch.Generator().manual_seed(11)
    d = sample_torch(task, 5, 3, 20_000, g, start_idx=1)
    k = int((d.y[:, -1] > 0).sum())
    assert binomial_surprise(k, 20_000, p_plus(task, 5)) < -np.log10(ALPHA)


def test_torch_and_theory_teaching_tasks_without_prefix_have_the_same_label_law():
    g = torch.Generator().manual_seed(1)
    a = int((sample_torch("conjunction_teach", 5, 3, 20_000, g, teaching=False).y[:, -1] > 0).sum())
    b = int((sample_task("conjunction_teach", 5, 3, 20_000, seed=1, teaching=False).y[:, -1] > 0).sum())
    p = fisher_exact([[a, 20_000 - a], [b, 20_000 - b]]).pvalue  # one label per prompt: independent
    assert p > ALPHA


def test_encoding_equals_theory_and_the_batch_masks_the_x_tokens():
    d = sample_task("conjunction", n, N, B, seed=0)
    X, y = torch.tensor(d.X, dtype=torch.float64), torch.tensor(d.y, dtype=torch.float64)
    assert np.array_equal(encode(X, y).numpy(), encode_prompt(d.X, d.y))
    batch = to_batch(X, y)
    assert batch.mask[:, 0::2].all() and not batch.mask[:, 1::2].any()
    assert torch.equal(scores_at_x(batch.targets), y)
    assert bce_loss(torch.zeros(B, 2 * N, 1, dtype=torch.float64), batch).item() == pytest.approx(np.log(2))


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_perturbing_later_tokens_never_changes_earlier_predictions(kind):
    torch.manual_seed(0)
    model = build_model(ModelSpec(kind, d_in=n, d_out=1, d_model=16, n_layers=2, n_heads=2, max_len=2 * N))
    d = sample_task("conjunction", n, N, 3, seed=1)
    tok = encode(torch.tensor(d.X, dtype=torch.float32), torch.tensor(d.y, dtype=torch.float32))
    cut = 9  # tokens >= cut are perturbed
    other = tok.clone()
    other[:, cut:] = torch.randn_like(other[:, cut:])
    with torch.no_grad():
        a, b = model(tok)[:, :cut], model(other)[:, :cut]
    assert_close(b.numpy(), a.numpy(), TOL.gpu_float32, f"{kind}: earlier outputs after a later perturbation")


def test_a_teach_mixture_mixes_prompts_with_and_without_their_prefix():
    from attnlab.gpu.icl_boolean.prompts import sampler_for_training

    b = sampler_for_training("mono_conjunction_teach", 5, 9, 400, teach_fraction=0.5)(1, torch.Generator().manual_seed(0))
    first = b.targets[:, 0]  # the first teaching row is always positive
    frac_pos = (first > 0).float().mean().item()
    assert 0.5 < frac_pos < 1.0
