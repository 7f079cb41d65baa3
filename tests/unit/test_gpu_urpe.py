"""gpu/urpe equals theory/urpe on small cases (CPU, float64), for every position family."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.gpu.urpe.transformer import RPETransformer, build_rpe_transformer
from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.urpe import FAMILIES, random_model


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("causal,ln", [(False, "post"), (True, "pre"), (False, "none")])
def test_torch_twin_equals_the_numpy_model_on_a_batch(family, causal, ln):
    model = random_model(family, 2, 10, 3, causal, seed=4, n_max=9, ln=ln, bias_scale=5.0)
    X = np.random.default_rng(0).standard_normal((5, 7, 10))  # batch 5, n 7, d 10
    twin = RPETransformer.from_theory(model)
    with torch.no_grad():
        got = twin(torch.as_tensor(X)).numpy()
    assert_close(got, np.stack([model(x) for x in X]), TOL.gpu_float64)


@pytest.mark.parametrize("family", FAMILIES)
def test_training_init_runs_backward_and_urpe_starts_with_unit_c(family):
    m = build_rpe_transformer(family, 2, 12, 3, n_max=11, seed=1)
    y = m(torch.randn(2, 7, 12))
    y.square().mean().backward()
    assert y.shape == (2, 7, 12) and m.Wq.grad is not None
    if family == "urpe":
        assert torch.equal(m.C, torch.ones_like(m.C)) and m.C.grad is not None
