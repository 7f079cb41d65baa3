r"""One softmax self-attention update of a document: the paper's data shift :math:`A_t \to A_{t+1}`.

.. math::

    A_{t+1} = A_t + \mathrm{softmax}_{\text{rows}}\!\Big(\frac{(A_t W_Q)(A_t W_K)^\top}{\sqrt{k}}\Big)\, A_t W_V ,

with :math:`A_t \in \mathbb{R}^{n\times d}` (n tokens as rows), :math:`W_Q, W_K \in \mathbb{R}^{d\times k}`,
:math:`W_V \in \mathbb{R}^{d\times d}` and each row of the score matrix normalised by a softmax over the n keys
(a single head with a residual connection, no LayerNorm, no MLP). The paper bounds only the effect of a change
of A on f(A, x) and does not say which layer produces it [unverified]; this is attnlab's choice of "an actual
softmax attention layer", so that the data shift of the main theorem's part 2 can be measured on layers that
exist rather than on arbitrary perturbations. Derived for attnlab.

>>> import numpy as np
>>> A = np.eye(3, 2); W = np.zeros((2, 2))
>>> bool(np.array_equal(attention_update(A, W, W, W), A))   # zero values: no shift
True
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError

__all__ = ["attention_scores", "attention_update"]


def attention_scores(A, WQ, WK) -> np.ndarray:
    r"""Row-stochastic :math:`S = \mathrm{softmax}_{\text{rows}}((A W_Q)(A W_K)^\top / \sqrt k) \in \mathbb{R}^{n\times n}`."""
    A = as_float_array("A", A, ndim=2)
    WQ = as_float_array("WQ", WQ, ndim=2)
    WK = as_float_array("WK", WK, ndim=2)
    d = A.shape[1]
    if WQ.shape[0] != d or WK.shape != WQ.shape:
        raise InvalidInputError(f"WQ and WK must both be {d} x k (A is {A.shape[0]} x {d}), got {WQ.shape}, {WK.shape}")
    logits = (A @ WQ) @ (A @ WK).T / np.sqrt(WQ.shape[1])
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def attention_update(A, WQ, WK, WV) -> np.ndarray:
    r""":math:`A_{t+1} = A_t + S\, A_t W_V` (see the module docstring); ``WV`` is d x d."""
    A = as_float_array("A", A, ndim=2)
    WV = as_float_array("WV", WV, ndim=2)
    d = A.shape[1]
    if WV.shape != (d, d):
        raise InvalidInputError(f"WV must be {d} x {d} (A is {A.shape[0]} x {d}), got {WV.shape}")
    return A + attention_scores(A, WQ, WK) @ (A @ WV)
