"""attnlab.gpu.softmax_icl.attention_layers: query-row mode equals full attention; constructed weights give one GD step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.gpu.softmax_icl.attention_layers import SelfAttentionRegressor, make_tokens
from attnlab.gpu.softmax_icl.gd_predictors import OneStepGDLinear
from attnlab.theory._tolerances import TOL, assert_close

B, N, D = 11, 5, 7  # batch, context pairs, input dim: distinct primes


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(B, N, D, generator=g, dtype=torch.float64)
    ys = torch.randn(B, N, generator=g, dtype=torch.float64)
    xq = torch.randn(B, D, generator=g, dtype=torch.float64)
    return xs, ys, xq


def test_tokens_stack_context_pairs_then_the_query_with_a_zero_label():
    xs, ys, xq = _data()
    E = make_tokens(xs, ys, xq)
    assert E.shape == (B, N + 1, D + 1)
    assert torch.equal(E[:, :N, :D], xs) and torch.equal(E[:, :N, D], ys)
    assert torch.equal(E[:, N, :D], xq) and torch.all(E[:, N, D] == 0)


@pytest.mark.parametrize("softmax", [True, False])
@pytest.mark.parametrize("heads", [1, 3])
def test_query_row_attention_gives_the_full_attention_prediction(softmax, heads):
    xs, ys, xq = _data(1)
    kw = {"softmax": softmax, "init_scale": 1.0, "dtype": torch.float64}
    full = SelfAttentionRegressor(D, heads, 5, attention="full", generator=torch.Generator().manual_seed(2), **kw)
    query = SelfAttentionRegressor(D, heads, 5, attention="query", generator=torch.Generator().manual_seed(2), **kw)
    assert_close(query(xs, ys, xq).detach().numpy(), full(xs, ys, xq).detach().numpy(), TOL.gpu_float64,
                 "query-row vs full attention")


def test_linear_attention_with_von_oswald_construction_is_one_gd_step():
    """W_Q = W_K = [I_d 0], W_V picks y, W_O[-1, -1] = -eta/N: the query gets -(eta/N) sum_i y_i x_i.x_q."""
    xs, ys, xq = _data(3)
    eta = 0.9
    layer = SelfAttentionRegressor(D, 1, D + 1, softmax=False, dtype=torch.float64)
    with torch.no_grad():
        proj_x = torch.zeros(D + 1, D + 1, dtype=torch.float64)
        proj_x[:D, :D] = torch.eye(D, dtype=torch.float64)
        layer.w_q.copy_(proj_x)
        layer.w_k.copy_(proj_x)
        layer.w_v.zero_()
        layer.w_v[D, D] = 1.0
        layer.w_o.zero_()
        layer.w_o[D, D] = -eta / N
    assert_close(layer(xs, ys, xq).detach().numpy(), OneStepGDLinear(eta)(xs, ys, xq).numpy(), TOL.gpu_float64,
                 "constructed linear attention vs one GD step")


def test_init_is_variance_scaling_with_truncation_at_two_std():
    layer = SelfAttentionRegressor(40, 1, 50, softmax=True, init_scale=0.5, generator=torch.Generator().manual_seed(0),
                                   dtype=torch.float64)
    w = layer.w_q.detach().numpy()  # fan_in = 41
    std = np.sqrt(0.5 / 41) / 0.87962566103423978
    assert np.abs(w).max() <= 2 * std
    assert abs(w.std() / np.sqrt(0.5 / 41) - 1) < 0.1  # truncated-normal correction restores the variance


def test_unknown_attention_mode_is_rejected():
    with pytest.raises(ValueError, match="attention must be one of"):
        SelfAttentionRegressor(D, 1, 3, softmax=True, attention="diagonal")
