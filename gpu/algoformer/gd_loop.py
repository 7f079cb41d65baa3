r"""Batched looped GD (von Oswald form) and direct GD in torch: one call for B prompts and T loops.

:func:`gd_loop_predictions` builds the tokens :math:`(x_i, y_i)`, :math:`(x_q, 0)` and applies the
gd_weights linear-attention layer T times, each prompt with its own step :math:`\eta_b` (V carries a batch
axis); it returns :math:`-(\text{query's last entry})` after every loop, :math:`(T+1, B)`, equal to
:func:`attnlab.theory.algoformer.gd_step.gd_loop_predictions` per prompt.

Speed: Q and K read only the x-slots, which V never writes, so the attention scores
:math:`\langle Kh_i, Qh_j\rangle = x_i^\top x_j` are the same at every loop. :func:`gd_loop_predictions`
computes them once, then each loop is the attention update of the y-column alone,
:math:`u \leftarrow u - \frac{\eta}{n} A\,u_{<n}` with :math:`A_{ji} = \langle Kh_i, Qh_j\rangle`: the same
arithmetic as the full layer on the only column that changes. ``full=True`` runs the generic block instead.
"""

from __future__ import annotations

import torch

from attnlab.gpu.algoformer.blocks import TorchHead, apply_block
from attnlab.theory.algoformer.gd_step import gd_weights

__all__ = ["gd_loop_predictions", "gd_direct_predictions"]


def gd_loop_predictions(X: torch.Tensor, y: torch.Tensor, xq: torch.Tensor, eta, T: int,
                        full: bool = False) -> torch.Tensor:
    B, n, d = X.shape
    eta = torch.as_tensor(eta, dtype=X.dtype, device=X.device).expand(B)
    Q, K, V1 = (torch.as_tensor(M, dtype=X.dtype, device=X.device) for M in gd_weights(d, 1.0))
    H = torch.cat([torch.cat([X, y[..., None]], -1), torch.cat([xq, torch.zeros_like(xq[:, :1])], -1)[:, None]], 1)
    if full:
        head = TorchHead(Q, K, eta[:, None, None] * V1, "linear", torch.arange(n, device=X.device), None, 1.0)
        out = [-H[:, n, d]]
        for _ in range(T):
            H = apply_block(H, ((head,),))
            out.append(-H[:, n, d])
        return torch.stack(out)
    scores = (H @ Q.T) @ (H[:, :n] @ K.T).transpose(-1, -2)  # (B, n+1, n), loop-invariant
    gain = (eta * V1[d, d] / n)[:, None, None] * scores
    u = H[:, :, d:]  # (B, n+1, 1): residuals of the context, -prediction of the query
    out = torch.empty(T + 1, B, dtype=X.dtype, device=X.device)
    out[0] = -u[:, n, 0]
    for t in range(T):
        u = u + gain @ u[:, :n]
        out[t + 1] = -u[:, n, 0]
    return out


def gd_direct_predictions(X: torch.Tensor, y: torch.Tensor, xq: torch.Tensor, eta, T: int) -> torch.Tensor:
    r""":math:`w_t^\top x_q` of direct GD, t = 0..T, (T+1, B)."""
    B, n, d = X.shape
    eta = torch.as_tensor(eta, dtype=X.dtype, device=X.device).expand(B)[:, None]
    w = torch.zeros(B, d, dtype=X.dtype, device=X.device)
    out = [w.new_zeros(B)]
    for _ in range(T):
        r = torch.einsum("bnd,bd->bn", X, w) - y
        w = w - (eta / n) * torch.einsum("bnd,bn->bd", X, r)
        out.append((w * xq).sum(-1))
    return torch.stack(out)
