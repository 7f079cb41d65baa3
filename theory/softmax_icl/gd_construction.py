r"""One gradient step from :math:`x_0 = 0` as a centred linear-attention aggregate.

At :math:`x = 0`, :math:`f = 1_n / n` and

.. math::

    x_1 = -\eta \nabla L(0) = \frac{\eta}{n} (A - 1_n \bar a^\top)^\top b
        = \frac{\eta}{n} \sum_{i=1}^n (a_i - \bar a)\, b_i ,

with :math:`a_i` the rows of :math:`A` (tokens) and :math:`\bar a` their mean: a linear attention
layer whose values are the targets :math:`b_i` and whose keys are the centred tokens. This is the
softmax analogue of von Oswald et al.'s one-step-GD linear self-attention (which has no centring).
Derived for attnlab (not in the paper); checked against :func:`attnlab.theory.softmax_icl.softmax_regression.grad`.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._validation import as_float_array

__all__ = ["build_gd_step_attention"]


def build_gd_step_attention(A, b, eta: float) -> np.ndarray:
    r"""Return :math:`x_1 = \frac{\eta}{n}\sum_i (a_i - \bar a) b_i \in \mathbb{R}^d` for ``A`` (n x d), ``b`` (n,)."""
    A = as_float_array("A", A, ndim=2)
    b = as_float_array("b", b, ndim=1)
    n = A.shape[0]
    keys = A - A.mean(axis=0, keepdims=True)  # centred tokens, (n, d)
    return (eta / n) * keys.T @ b
