r"""Shared machinery of the tf_svm figures: batched instances and batched normalised GD (numpy adapter).

Instances follow :func:`attnlab.theory.tf_svm.examples.random_instance` (seed ``s`` gives the same instance), stacked
into $X \in \mathbb{R}^{B\times n\times T\times d}$, $Z \in \mathbb{R}^{B\times n\times d}$, $v \in \mathbb{R}^{B\times d}$,
$Y \in \{\pm1\}^{B\times n}$.

:func:`batched_ngd` runs normalised GD on $W$ or on $(K, Q)$ for all $B$ instances at once with the stable
gradient of :mod:`attnlab.theory.tf_svm.attention_loss` (logistic loss):
$\nabla_{q_i}\mathcal{L} = \tfrac{\ell'(f_i)}{n} \sum_t s_{it} c_{it} (x_{it} - x_{ir_i})$,
$c_{it} = \sum_u s_{iu}(\gamma_{it} - \gamma_{iu})$, $q_i = W z_i$, $\nabla_W = \sum_i \nabla_{q_i} z_i^\top$.
On CUDA (chosen by :func:`attnlab.gpu.device.get_device`) it calls :mod:`attnlab.gpu.tf_svm.attention_gd`; on CPU it uses the
numpy loop below, which computes the same iteration with fewer small-tensor dispatches (the torch path costs
~30 ms per step at B = 100 on 2 cores, this one a few ms). Both freeze an instance whose gradient is exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.tf_svm.attention_gd import GdConfig
from attnlab.theory.tf_svm.examples import random_instance

__all__ = ["Batch", "make_batch", "batched_ngd", "official_init"]

KQ_REG = float(np.finfo(np.float64).eps)  # official lambda of the (K, Q) runs (spec 2.5)


@dataclass(frozen=True)
class Batch:
    X: np.ndarray  # (B, n, T, d)
    Z: np.ndarray  # (B, n, d)
    v: np.ndarray  # (B, d)
    Y: np.ndarray  # (B, n)
    seeds: tuple[int, ...]

    @property
    def gamma(self) -> np.ndarray:
        """Token scores (B, n, T)."""
        return self.Y[..., None] * np.einsum("bntd,bd->bnt", self.X, self.v)

    @property
    def opt(self) -> np.ndarray:
        """Optimal tokens argmax_t gamma (B, n)."""
        return np.argmax(self.gamma, axis=-1)


def make_batch(n: int, T: int, d: int, seeds) -> Batch:
    insts = [random_instance(n, T, d, seed=int(s)) for s in seeds]
    return Batch(np.stack([i.X for i in insts]), np.stack([i.Z for i in insts]), np.stack([i.v for i in insts]),
                 np.stack([i.Y for i in insts]), tuple(int(s) for s in seeds))


def official_init(rng: np.random.Generator, B: int, d: int) -> np.ndarray:
    """torch.nn.Linear's default U(-1/sqrt(d), 1/sqrt(d)) entries, (B, d, d) (local_converge.ipynb)."""
    return rng.uniform(-1.0, 1.0, size=(B, d, d)) / np.sqrt(d)


class _GradW:
    r"""Stable logistic-loss gradient (B, d, d) and softmax (B, n, T) at W (B, d, d); batched matmuls only.

    Per-run constants are hoisted out of the step: the score differences $\gamma_{it} - \gamma_{iu}$ (B, n, T, T)
    and $x_{it} - x_{ir_i}$ for the current reference tokens $r_i = \arg\max_t$ logit, recomputed only when some
    $r_i$ changes (after the first steps it never does). Same arithmetic as before, so the same floats.
    Logit differences are clamped at -746 before ``exp``: float64 ``exp`` is exactly 0 below -745.14, so the
    clamp changes no bit of the softmax; it keeps ``exp`` off huge negative arguments once the (K, Q) attention
    saturates (logit gaps reach -1e4 and beyond).
    """

    def __init__(self, X, Z, gamma):
        self.X, self.Z, self.n = X, Z, X.shape[1]
        self.gamma = gamma
        self.dgamma = gamma[..., :, None] - gamma[..., None, :]  # (B, n, T, T): gamma_t - gamma_u
        self.ref = None
        self.xd = None

    def __call__(self, W):
        X, Z, gamma = self.X, self.Z, self.gamma
        q = Z @ np.swapaxes(W, 1, 2)  # (B, n, d): q_i = W z_i
        logits = (X @ q[..., None])[..., 0]  # (B, n, T)
        ref = np.argmax(logits, axis=-1)
        logits = logits - np.take_along_axis(logits, ref[..., None], axis=-1)
        np.maximum(logits, _EXP_FLOOR, out=logits)
        e = np.exp(logits)
        s = e / e.sum(-1, keepdims=True)
        centred = (self.dgamma @ s[..., None])[..., 0]  # sum_u s_u (g_t - g_u)
        if self.ref is None or not np.array_equal(ref, self.ref):
            xref = np.take_along_axis(X, ref[..., None, None], axis=2)  # (B, n, 1, d)
            self.ref, self.xd = ref, X - xref
        f = (s * gamma).sum(-1)
        lp = -0.5 * (1.0 - np.tanh(0.5 * f))  # logistic l'(f) = -sigmoid(-f)
        U = ((s * centred)[..., None, :] @ self.xd)[..., 0, :] * (lp / self.n)[..., None]  # (B, n, d)
        return np.swapaxes(U, 1, 2) @ Z, s


#: float64 exp underflows to exactly 0 below -745.14 (and to subnormals below -708): clamping at -746 is exact.
_EXP_FLOOR = -746.0


def _grad_w(X, Z, gamma, W):
    """Stable logistic-loss gradient (B, d, d) and softmax (B, n, T) at W (B, d, d) (one-off call)."""
    return _GradW(X, Z, gamma)(W)


def batched_ngd(batch: Batch, W0: np.ndarray, cfg: GdConfig, factored: bool = False, K0=None,
                device: str | None = None):
    """NGD on W (``factored=False``, init ``W0``) or on (K, Q) (init ``K0``, ``Q0 = W0``... see below).

    For ``factored=True``: ``K0`` and ``W0`` are the initial K and Q (B, d, m); the official (K, Q) loss adds
    ``cfg.kq_reg * (||K||^2 + ||Q||^2)``. Returns ``(log_steps, log_W (L, B, d, d), log_s (L, B, n, T))``.
    """
    import os

    from attnlab.gpu.device import ENV_VAR, get_device

    choice = device if device not in (None, "", "auto") else os.environ.get(ENV_VAR) or None
    if choice == "cpu":  # an explicit cpu needs no torch (importing it costs seconds on a loaded 2-core box)
        return _numpy_ngd(batch, W0, cfg, factored, K0)
    dev = get_device(device)
    if dev.type == "cuda":
        return _torch_ngd(batch, W0, cfg, factored, K0, device)
    return _numpy_ngd(batch, W0, cfg, factored, K0)


def _softmax_of(batch: Batch, W):
    logits = np.einsum("bntd,bde,bne->bnt", batch.X, W, batch.Z)
    logits -= logits.max(-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(-1, keepdims=True)


def _torch_ngd(batch, W0, cfg, factored, K0, device):
    from attnlab.gpu.tf_svm.attention_gd import batched_gd_kq, batched_gd_w

    if factored:
        res = batched_gd_kq(batch.X, batch.Z, batch.v, batch.Y, K0, W0, cfg, device=device)
    else:
        res = batched_gd_w(batch.X, batch.Z, batch.v, batch.Y, W0, cfg, device=device)
    logs = res.log_W if res.log_W is not None else res.W[None]
    steps = res.log_steps or (cfg.steps,)
    return steps, logs, np.stack([_softmax_of(batch, W) for W in logs])


def _numpy_ngd(batch, W0, cfg, factored, K0):
    X, Z, gamma = batch.X, batch.Z, batch.gamma
    B = X.shape[0]
    grad_w = _GradW(X, Z, gamma)
    params = [np.array(K0, dtype=np.float64), np.array(W0, dtype=np.float64)] if factored else [
        np.array(W0, dtype=np.float64)]
    active = np.ones(B, dtype=bool)
    log_k, log_W, log_s = [], [], []
    for k in range(cfg.steps + 1):
        W = params[0] @ np.swapaxes(params[1], 1, 2) if factored else params[0]
        G, s = grad_w(W)
        if cfg.log_every and k % cfg.log_every == 0 or k == cfg.steps:
            log_k.append(k)
            log_W.append(W.copy())
            log_s.append(s)
        if k == cfg.steps:
            break
        if factored:
            K, Q = params
            grads = [G @ Q + 2 * cfg.kq_reg * K, np.swapaxes(G, 1, 2) @ K + 2 * cfg.kq_reg * Q]
        else:
            grads = [G]
        norms = [np.sqrt(np.einsum("bij,bij->b", g, g)) for g in grads]
        for nm in norms:
            active &= nm > 0
        for j, (g, nm) in enumerate(zip(grads, norms, strict=True)):
            scale = np.where(active, cfg.eta / np.where(nm > 0, nm, 1.0), 0.0) if cfg.normalized else \
                np.where(active, cfg.eta, 0.0)
            params[j] = params[j] - scale[:, None, None] * g
    return tuple(log_k), np.stack(log_W), np.stack(log_s)
