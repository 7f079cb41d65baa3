r"""Batched (normalised) GD on $W$, $(K, Q)$ or $p$ for $B$ TF-SVM instances at once, in torch.

The same stable gradient as :mod:`attnlab.theory.tf_svm.attention_loss` (there the formulas), vectorised over a leading
batch axis: tokens $X \in \mathbb{R}^{B\times n\times T\times d}$, queries $Z \in \mathbb{R}^{B\times n\times d}$,
heads $v \in \mathbb{R}^{B\times d}$, labels $Y \in \{\pm1\}^{B\times n}$. Each instance is normalised by its
own gradient norm and freezes on its own when its gradient is exactly 0 or its stopping rule fires, so the
result equals a loop of :func:`attnlab.theory.tf_svm.attention_gd.run_gd_w` calls (tested on CPU at ``TOL.gpu_float64``).

float64 by default; the device comes only from :func:`attnlab.gpu.device.get_device`. TF32 is turned off before the
run, since final directions are compared against SVM solutions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_gd import GdConfig
from attnlab.theory.tf_svm.attention_loss import get_loss

__all__ = ["BatchGdResult", "batched_gd_w", "batched_gd_kq", "batched_gd_p"]

_STOP = {0: "steps", 1: "zero-gradient", 2: "stop_prob"}


@dataclass(frozen=True)
class BatchGdResult:
    """Final ``W`` (B, d, d) (or p (B, d'); ``K``/``Q`` for factored runs) as float64 numpy, per-instance
    steps run and stop reason, and optional logged iterates (L, B, ...) at ``log_steps``."""

    W: np.ndarray
    steps_run: np.ndarray
    stopped_by: tuple[str, ...]
    K: np.ndarray | None = None
    Q: np.ndarray | None = None
    log_steps: tuple[int, ...] = ()
    log_W: np.ndarray | None = None


def _lprime(name: str, u):
    import torch

    if name == "logistic":
        return -torch.sigmoid(-u)
    if name == "exponential":
        return -torch.exp(-u)
    return -torch.ones_like(u)


def _grad_q(keys, q, gamma, loss: str):
    """Stable dL/dq_i for keys (B,n,T,d), q (B,n,d), gamma (B,n,T); returns (U (B,n,d), s)."""
    import torch

    logits = torch.einsum("bntd,bnd->bnt", keys, q)
    s = torch.exp(torch.log_softmax(logits, dim=-1))
    centred = torch.einsum("bntu,bnu->bnt", gamma[..., :, None] - gamma[..., None, :], s)
    ref = torch.argmax(logits, dim=-1)  # (B, n)
    k_ref = torch.gather(keys, 2, ref[..., None, None].expand(-1, -1, 1, keys.shape[-1]))
    u = (s * gamma).sum(-1)
    U = torch.einsum("bnt,bntd->bnd", s * centred, keys - k_ref) * (_lprime(loss, u) / keys.shape[1])[..., None]
    return U, s


def _prepare(X, v, Y, device, dtype):
    import torch

    from attnlab.gpu.device import disable_tf32, get_device

    disable_tf32()
    dev = get_device(device)
    Xt = torch.as_tensor(np.asarray(X), dtype=dtype, device=dev)
    if Xt.ndim != 4:
        raise InvalidInputError(f"X must have shape (B, n, T, d), got {tuple(Xt.shape)}")
    B, n, T, d = Xt.shape
    vt = torch.as_tensor(np.asarray(v), dtype=dtype, device=dev)
    Yt = torch.as_tensor(np.asarray(Y), dtype=dtype, device=dev)
    if vt.shape != (B, d) or Yt.shape != (B, n):
        raise InvalidInputError(f"v must be (B, d) = {(B, d)} and Y (B, n) = {(B, n)}")
    if not (torch.isfinite(Xt).all() and torch.isfinite(vt).all()):
        raise InvalidInputError("X and v must be finite")
    gamma = Yt[..., None] * torch.einsum("bntd,bd->bnt", Xt, vt)
    return Xt, gamma, dev


def _loop(params, grad_fn, cfg: GdConfig):
    """Batched version of attnlab.theory.tf_svm.attention_gd._run; params are (B, ...) tensors."""
    import torch

    B = params[0].shape[0]
    dev = params[0].device
    active = torch.ones(B, dtype=torch.bool, device=dev)
    steps = torch.zeros(B, dtype=torch.int64, device=dev)
    reason = torch.zeros(B, dtype=torch.int64, device=dev)
    logs_k, logs = [], []
    for k in range(cfg.steps + 1):
        grads, s = grad_fn(params)
        if cfg.log_every and k % cfg.log_every == 0:
            logs_k.append(k)
            logs.append(tuple(p.clone() for p in params))
        if k == cfg.steps:
            break
        if cfg.stop_prob is not None:
            sup = torch.sort(s, dim=-1).values[..., -2].amax(dim=-1)
            hit = active & (sup < cfg.stop_prob)
            reason[hit] = 2
            active &= ~hit
        norms = [torch.linalg.vector_norm(g.reshape(B, -1), dim=1) for g in grads]
        zero = torch.zeros_like(active)
        for nm in norms:
            zero |= nm == 0
        hit = active & zero
        reason[hit] = 1
        active &= ~hit
        if not bool(active.any()):
            break
        new = []
        for P, G, nm in zip(params, grads, norms, strict=True):
            scale = cfg.eta / torch.where(nm > 0, nm, 1.0) if cfg.normalized else torch.full_like(nm, cfg.eta)
            scale = torch.where(active, scale, 0.0)
            new.append(P - scale.reshape((B,) + (1,) * (P.ndim - 1)) * G)
        params = tuple(new)
        steps += active.long()
    stop = tuple(_STOP[int(r)] for r in reason.cpu())
    return params, steps.cpu().numpy(), stop, tuple(logs_k), logs


def batched_gd_w(X, Z, v, Y, W0, cfg: GdConfig, loss: str = "logistic", device: str | None = None,
                 dtype=None) -> BatchGdResult:
    """(N)GD on W for B instances; ``W0`` (B, d, d). Returns final W per instance (numpy float64)."""
    import torch

    dtype = dtype or torch.float64
    name = get_loss(loss).name
    Xt, gamma, dev = _prepare(X, v, Y, device, dtype)
    Zt = torch.as_tensor(np.asarray(Z), dtype=dtype, device=dev)
    Wt = torch.as_tensor(np.asarray(W0), dtype=dtype, device=dev)
    B, n, T, d = Xt.shape
    if Zt.shape != (B, n, d) or Wt.shape != (B, d, d):
        raise InvalidInputError(f"Z must be (B, n, d) = {(B, n, d)} and W0 (B, d, d) = {(B, d, d)}")

    def fn(params):
        (W,) = params
        U, s = _grad_q(Xt, torch.einsum("bde,bne->bnd", W, Zt), gamma, name)
        return (torch.einsum("bnd,bne->bde", U, Zt),), s

    with torch.no_grad():
        (W,), steps, stop, lk, logs = _loop((Wt,), fn, cfg)
    logW = torch.stack([p[0] for p in logs]).cpu().double().numpy() if logs else None
    return BatchGdResult(W.cpu().double().numpy(), steps, stop, log_steps=lk, log_W=logW)


def batched_gd_kq(X, Z, v, Y, K0, Q0, cfg: GdConfig, loss: str = "logistic", device: str | None = None,
                  dtype=None) -> BatchGdResult:
    r"""(N)GD on the factors (B, d, m); ``W`` of the result is $KQ^\top$ per instance."""
    import torch

    dtype = dtype or torch.float64
    name = get_loss(loss).name
    Xt, gamma, dev = _prepare(X, v, Y, device, dtype)
    Zt = torch.as_tensor(np.asarray(Z), dtype=dtype, device=dev)
    Kt = torch.as_tensor(np.asarray(K0), dtype=dtype, device=dev)
    Qt = torch.as_tensor(np.asarray(Q0), dtype=dtype, device=dev)
    if Kt.shape != Qt.shape or Kt.shape[:2] != (Xt.shape[0], Xt.shape[3]):
        raise InvalidInputError("K0 and Q0 must both have shape (B, d, m)")
    lam = cfg.kq_reg

    def fn(params):
        K, Q = params
        W = K @ Q.transpose(1, 2)
        U, s = _grad_q(Xt, torch.einsum("bde,bne->bnd", W, Zt), gamma, name)
        G = torch.einsum("bnd,bne->bde", U, Zt)
        return (G @ Q + 2 * lam * K, G.transpose(1, 2) @ K + 2 * lam * Q), s

    with torch.no_grad():
        (K, Q), steps, stop, lk, logs = _loop((Kt, Qt), fn, cfg)
    logW = torch.stack([a @ b.transpose(1, 2) for a, b in logs]).cpu().double().numpy() if logs else None
    K, Q = K.cpu().double().numpy(), Q.cpu().double().numpy()
    return BatchGdResult(K @ np.swapaxes(Q, 1, 2), steps, stop, K, Q, lk, logW)


def batched_gd_p(keys, X, v, Y, p0, cfg: GdConfig, loss: str = "logistic", device: str | None = None,
                 dtype=None) -> BatchGdResult:
    """(N)GD on prompts (B, d') with keys (B, n, T, d') and values X (B, n, T, d); ``W`` holds p."""
    import torch

    dtype = dtype or torch.float64
    name = get_loss(loss).name
    Xt, gamma, dev = _prepare(X, v, Y, device, dtype)
    Kt = torch.as_tensor(np.asarray(keys), dtype=dtype, device=dev)
    pt = torch.as_tensor(np.asarray(p0), dtype=dtype, device=dev)
    if Kt.shape[:3] != Xt.shape[:3] or pt.shape != (Kt.shape[0], Kt.shape[3]):
        raise InvalidInputError("keys must be (B, n, T, d') matching X and p0 (B, d')")

    def fn(params):
        (p,) = params
        U, s = _grad_q(Kt, p[:, None, :].expand(-1, Kt.shape[1], -1), gamma, name)
        return (U.sum(1),), s

    with torch.no_grad():
        (p,), steps, stop, lk, logs = _loop((pt,), fn, cfg)
    logW = torch.stack([q[0] for q in logs]).cpu().double().numpy() if logs else None
    return BatchGdResult(p.cpu().double().numpy(), steps, stop, log_steps=lk, log_W=logW)
