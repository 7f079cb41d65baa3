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
