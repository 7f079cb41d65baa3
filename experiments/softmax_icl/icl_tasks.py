r"""In-context regression tasks: a batch of (context pairs, query, target), sampled on a device.

A task family is a small frozen dataclass with ``sample(batch, generator, device, dtype) -> ICLBatch``
(dtsip/in-context-learning's task base class). Every law and level is stated beside the field that
sets it (spec pitfall 7: von Oswald's docstring says U(-1, 1) where the code samples U(-r/2, r/2)).

* :class:`LinearRegressionTask` (von Oswald et al. 2023, ``src/data.py``):
  :math:`x_i, x_q \sim U(-r/2, r/2)^d`, :math:`w \sim N(0, \sigma_w^2 I_d)`, :math:`y = w^\top x`.
* :class:`SoftmaxRegressionTask` (attnlab's choice; arXiv 2304.13276 does not say how b is drawn):
  tokens :math:`a_1..a_n, a_q \sim N(0, I_d)`, :math:`x^* \sim N(0, s^2 I_d / d)`, the document's
  realisable target :math:`b = f(A, x^*) = \mathrm{softmax}(A x^*) \in \Delta^{n-1}` (Def. 1.3), labels
  :math:`y_i = n b_i - o` and query target :math:`y_q = n \exp(a_q^\top x^*)/\alpha(x^*) - o`, the query's
  value of f *with the document's normaliser* :math:`\alpha(x^*) = \langle \exp(Ax^*), 1_n\rangle`.
  The offset o (``label_offset``) centres the labels (o = 1: a uniform b gives labels 0).

  Why the query is not inside the softmax: if b were normalised over context *and* query, then
  :math:`\sum_i b_i = 1 - b_q` and the context labels would reveal the query target exactly (a leak
  a trained layer finds: it reached a tenth of the GD loss that way). Here :math:`\sum_i y_i = n(1-o)`
  is a constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlab.gpu.softmax_icl.attention_layers import make_tokens
from attnlab.gpu.training import Batch

__all__ = ["ICLBatch", "LinearRegressionTask", "SoftmaxRegressionTask"]


@dataclass(frozen=True)
class ICLBatch:
    r"""``xs`` :math:`\in \mathbb{R}^{B\times N\times d}`, ``ys`` :math:`\in \mathbb{R}^{B\times N}`,
    ``xq`` :math:`\in \mathbb{R}^{B\times d}`, ``yq`` :math:`\in \mathbb{R}^{B}`."""

    xs: torch.Tensor
    ys: torch.Tensor
    xq: torch.Tensor
    yq: torch.Tensor

    def __len__(self) -> int:
        return self.xs.shape[0]

    def as_sequences(self) -> Batch:
        r"""The training layer's view: tokens :math:`(x_i, y_i), (x_q, 0)` as inputs (B, N+1, d+1),
        labels :math:`(y_1, \dots, y_N, y_q)` as targets (B, N+1), and a mask that counts the query only."""
        targets = torch.cat([self.ys, self.yq.unsqueeze(-1)], dim=-1)  # (B, N+1)
        mask = torch.zeros(targets.shape, dtype=torch.bool, device=targets.device)
        mask[:, -1] = True
        return Batch(make_tokens(self.xs, self.ys, self.xq), targets, mask)


@dataclass(frozen=True)
class LinearRegressionTask:
    """N context pairs in d dims; x ~ U(-input_range/2, input_range/2), w ~ N(0, weight_scale^2 I)."""

    N: int = 10
    d: int = 10
    input_range: float = 1.0
    weight_scale: float = 1.0

    def sample(self, batch: int, generator: torch.Generator, device, dtype) -> ICLBatch:
        kw = {"generator": generator, "device": device, "dtype": dtype}
        x = (torch.rand(batch, self.N + 1, self.d, **kw) - 0.5) * self.input_range  # (B, N+1, d)
        w = torch.randn(batch, self.d, **kw) * self.weight_scale  # (B, d)
        y = torch.einsum("bnd,bd->bn", x, w)  # (B, N+1)
        return ICLBatch(x[:, :-1], y[:, :-1], x[:, -1], y[:, -1])


@dataclass(frozen=True)
class SoftmaxRegressionTask:
    """n context tokens in d dims; a ~ N(0, I_d), x* ~ N(0, x_star_scale^2 I_d / d), y = n softmax - offset."""

    n: int = 25
    d: int = 20
    x_star_scale: float = 1.0
    label_offset: float = 0.0

    def sample(self, batch: int, generator: torch.Generator, device, dtype) -> ICLBatch:
        kw = {"generator": generator, "device": device, "dtype": dtype}
        a = torch.randn(batch, self.n + 1, self.d, **kw)  # (B, n+1, d): context rows then the query
        x_star = torch.randn(batch, self.d, **kw) * (self.x_star_scale / self.d**0.5)  # (B, d)
        logits = torch.einsum("bnd,bd->bn", a, x_star)  # (B, n+1)
        log_alpha = torch.logsumexp(logits[:, :-1], dim=-1, keepdim=True)  # the document's normaliser
        y = self.n * torch.exp(logits - log_alpha) - self.label_offset  # (B, n+1)
        return ICLBatch(a[:, :-1], y[:, :-1], a[:, -1], y[:, -1])
