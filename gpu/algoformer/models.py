r"""Trainable AlgoFormer and Yang's truncated loop loss, on the shared training layer's blocks.

**AlgoFormer** (spec §2.1 [src: abstract; notation ours]): read-in plus learned positions e,
:math:`p = \mathrm{TF}_{pre}(e)` (``n_pre`` unshared pre-LN blocks), the weight-tied loop
:math:`h_{t+1} = \mathrm{TF}_{loop}(h_t + p)` from :math:`h_0 = 0` (``n_loop_layers`` blocks; input
injection of the pre output is our choice, the paper's rule is [unverified]), then
:math:`\mathrm{TF}_{post}(h_T)` (``n_post`` blocks), a final LayerNorm and the read-out. With
``n_pre = n_post = 0`` it is Yang et al.'s looped transformer.

**Truncated loss** (Yang et al. [src: Leiay/looped_transformer scripts/train.py]): with b loops and window
:math:`\Delta`, the loss is the mean over the last :math:`\min(b, \Delta)` loop outputs; loops before the
window run without gradients. :class:`WindowedLoops` wraps a looped model so that ``model(x)`` returns those
outputs stacked on a trailing axis, and :func:`window_mse` is the matching loss.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.gpu.training import Batch, masked_mse
from attnlab.gpu.training.attention_block import TransformerBlock
from attnlab.theory.errors import InvalidInputError

__all__ = ["AlgoFormerNet", "WindowedLoops", "window_mse"]


class AlgoFormerNet(nn.Module):
    def __init__(self, d_in: int, d_out: int, d_model: int, n_heads: int, max_len: int, n_pre: int = 1,
                 n_loop_layers: int = 1, n_post: int = 1, n_loops: int = 10, seed: int = 0):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.read_in = nn.Linear(d_in, d_model)
            self.positions = nn.Embedding(max_len, d_model)
            self.pre = nn.ModuleList(TransformerBlock(d_model, n_heads, True) for _ in range(n_pre))
            self.loop = nn.ModuleList(TransformerBlock(d_model, n_heads, True) for _ in range(n_loop_layers))
            self.post = nn.ModuleList(TransformerBlock(d_model, n_heads, True) for _ in range(n_post))
            self.ln_f = nn.LayerNorm(d_model)
            self.read_out = nn.Linear(d_model, d_out)
            for m in self.modules():
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, 0.0, 0.02)
                    if getattr(m, "bias", None) is not None:
                        nn.init.zeros_(m.bias)
        self.n_loops = n_loops

    def _pre(self, x: torch.Tensor) -> torch.Tensor:
        p = self.read_in(x) + self.positions.weight[: x.shape[1]]
        for blk in self.pre:
            p = blk(p)
        return p

    def _post(self, h: torch.Tensor) -> torch.Tensor:
        for blk in self.post:
            h = blk(h)
        return self.read_out(self.ln_f(h))

    def outputs_per_loop(self, x: torch.Tensor, n_loops: int | None = None, grad_from: int = 0) -> list[torch.Tensor]:
        """Post-processed output after loops 1..T; loops before ``grad_from`` run without gradients."""
        T = self.n_loops if n_loops is None else n_loops
        if T < 1:
            raise InvalidInputError(f"n_loops must be >= 1, got {T}")
        p = self._pre(x)
        h, outs = torch.zeros_like(p), []
        for t in range(T):
            with torch.set_grad_enabled(torch.is_grad_enabled() and t >= grad_from):
                for blk in self.loop:
                    h = blk(h + p) if blk is self.loop[0] else blk(h)
                outs.append(self._post(h))
        return outs

    def forward(self, x: torch.Tensor, n_loops: int | None = None) -> torch.Tensor:
        return self.outputs_per_loop(x, n_loops)[-1]


class WindowedLoops(nn.Module):
    """``forward(x)``: the last ``window`` of ``n_loops`` loop outputs, stacked on a trailing axis."""

    def __init__(self, model: nn.Module, n_loops: int, window: int):
        super().__init__()
        if not 1 <= window:
            raise InvalidInputError(f"window must be >= 1, got {window}")
        self.model, self.n_loops, self.window = model, n_loops, min(window, n_loops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        start = self.n_loops - self.window
        if isinstance(self.model, AlgoFormerNet):
            outs = self.model.outputs_per_loop(x, self.n_loops, grad_from=start)
        else:  # the training layer's LoopedModel: its backbone's iterates, with the same gradient cut
            m = self.model
            e = m.embed(x)
            h, outs = torch.zeros_like(e), []
            for t in range(self.n_loops):
                with torch.set_grad_enabled(torch.is_grad_enabled() and t >= start):
                    h = m.backbone.unit(h + e)
                    outs.append(m.read_out(m.backbone.ln_f(h)))
        return torch.stack(outs[start:], dim=-1)


def window_mse(pred: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Masked MSE averaged over the trailing loop axis of :class:`WindowedLoops` outputs."""
    return torch.stack([masked_mse(pred[..., k], batch) for k in range(pred.shape[-1])]).mean()
