"""GPU tier (``pytest -m gpu``): the batched torch paths on CUDA equal theory/ on small cases.

Skips itself where torch has no CUDA, so it is safe in any environment.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from attnlab.gpu.device import disable_tf32, get_device  # noqa: E402
from attnlab.gpu.softmax_icl import softmax_regression as gsr  # noqa: E402
from attnlab.theory._tolerances import TOL, assert_close  # noqa: E402
from attnlab.theory.softmax_icl import softmax_regression as sr  # noqa: E402

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


@pytest.mark.parametrize(("batch", "n", "d"), [(3, 5, 7), (7, 3, 5)])
def test_cuda_gradient_equals_theory_in_float64(batch, n, d):
    disable_tf32()
    rng = np.random.default_rng(0)
    A, x, b = rng.normal(size=(batch, n, d)), rng.normal(size=(batch, d)), rng.dirichlet(np.ones(n), size=batch)
    dev = get_device("cuda")
    got = gsr.grad(*(torch.as_tensor(v, device=dev) for v in (A, x, b))).cpu().numpy()
    want = np.stack([sr.grad(A[i], x[i], b[i]) for i in range(batch)])
    assert_close(got, want, TOL.gpu_float64, what="cuda gradient")


@pytest.mark.parametrize("normalized", [True, False])
def test_cuda_engine_equals_numpy_for_every_tf_svm_parameterisation(normalized):
    from attnlab.gpu.tf_svm.attention_gd import on_device
    from attnlab.theory.tf_svm import attention_gd as T
    from attnlab.theory.tf_svm.examples import random_instance

    insts = [random_instance(3, 5, 7, seed=b, random_labels=True) for b in range(2)]
    X, Z, v, Y = (np.stack([getattr(i, a) for i in insts]) for a in "XZvY")
    rng = np.random.default_rng(1)
    keys = X @ rng.normal(size=(7, 11))
    W0, K0, Q0 = 0.1 * rng.normal(size=(2, 7, 7)), 0.3 * rng.normal(size=(2, 7, 11)), 0.3 * rng.normal(size=(2, 7, 11))
    p0, v0 = rng.normal(size=(2, 11)), rng.normal(size=(2, 7))
    cfg = T.GdConfig(steps=50, eta=0.1 if normalized else 1.0, normalized=normalized, log_every=25)
    calls = {"W": (T.batched_gd_w, X, Z, v, Y, W0, cfg), "KQ": (T.batched_gd_kq, X, Z, v, Y, K0, Q0, cfg),
             "p": (T.batched_gd_p, keys, X, v, Y, p0, cfg), "vp": (T.batched_gd_vp, keys, X, Y, p0, v0, cfg)}
    for name, (fn, *args) in calls.items():
        want, got = fn(*args), on_device(fn, *args, device="cuda")
        assert got.stopped_by == want.stopped_by, name
        assert_close(got.W, want.W, TOL.gpu_float64, what=f"cuda {name}")
