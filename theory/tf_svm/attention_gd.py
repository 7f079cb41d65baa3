r"""Gradient descent on $W$, on $(K, Q)$ and on the prompt $p$, with the stable gradient of :mod:`attnlab.theory.tf_svm.attention_loss`.

Plain GD: $W_{k+1} = W_k - \eta \nabla\mathcal{L}(W_k)$. Normalised GD (the official experiments, float64,
$\eta = 0.1$): $W_{k+1} = W_k - \eta\, \nabla\mathcal{L}/\|\nabla\mathcal{L}\|_F$; for $(K, Q)$ each factor is
normalised separately, with $\nabla_K = G Q$, $\nabla_Q = G^\top K$, $G = \nabla_W\mathcal{L}(KQ^\top)$, plus the
official $\lambda(\|K\|_F^2 + \|Q\|_F^2)$ term (``GdConfig.kq_reg``). Prompt model: $\nabla_p = \sum_i \nabla_{q_i}$.

No epsilon is added to $\|\nabla\mathcal{L}\|$: the stable gradient is exactly 0 only when the probabilities
underflow, and then the run stops with ``stopped_by="zero-gradient"``. Optional stopping rule: stop when
$\max_i \max_{t \ne r_i} s_{it} <$ ``stop_prob`` (every non-selected token suppressed below it).

Paper notation: W, K, Q, p, eta as in TF-SVM section 2 / MMTS (unverified locators); NGD as in the official
code (umich-sota/TF-as-SVM, src).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm.attention_loss import Loss, get_loss, score_loss_and_grad
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores

__all__ = ["GdConfig", "GdResult", "grad_w", "grad_p", "run_gd_w", "run_gd_kq", "run_gd_p", "max_suppressed_prob"]


@dataclass(frozen=True)
class GdConfig:
    """Step size ``eta``, number of ``steps``, ``normalized`` (NGD) or plain GD, stopping rule, logging."""

    steps: int = 2000
    eta: float = 0.1
    normalized: bool = True
    stop_prob: float | None = None
    log_every: int = 0  # 0: keep only the final iterate
    kq_reg: float = 0.0  # lambda of the official (K, Q) runs is float64 eps

    def __post_init__(self):
        if self.steps < 0 or self.eta <= 0 or self.log_every < 0 or self.kq_reg < 0:
            raise InvalidInputError(f"GdConfig needs steps >= 0, eta > 0, log_every >= 0, kq_reg >= 0: {self}")
        if self.stop_prob is not None and not 0 < self.stop_prob < 1:
            raise InvalidInputError(f"stop_prob must be in (0, 1), got {self.stop_prob}")

    @classmethod
    def smoke(cls) -> GdConfig:
        return cls(steps=300)

    @classmethod
    def paper(cls) -> GdConfig:
        """NGD, eta 0.1, 2000 iterations (TF-as-SVM local_converge.ipynb, src)."""
        return cls(steps=2000, eta=0.1, normalized=True)


@dataclass(frozen=True)
class GdResult:
    """Final parameters (``W``, or ``p``; ``K``/``Q`` for factored runs), steps run, why it stopped, logs."""

    W: np.ndarray
    steps_run: int
    stopped_by: str  # "steps" | "zero-gradient" | "stop_prob"
    loss: float
    K: np.ndarray | None = None
    Q: np.ndarray | None = None
    log_steps: tuple[int, ...] = ()
    log_params: tuple[np.ndarray, ...] = field(default=(), repr=False)


def max_suppressed_prob(s: np.ndarray) -> float:
    r"""$\max_i \max_{t \ne \arg\max s_i} s_{it}$ for probabilities ``s`` (n, T)."""
    srt = np.sort(s, axis=-1)
    return float(srt[..., -2].max())


def grad_w(X, Z, v, Y, W, loss: str | Loss = "logistic"):
    r"""$(\mathcal{L}(W), \nabla_W \mathcal{L}, s)$ with $\nabla_W\mathcal{L} = \sum_i u_i z_i^\top$ (stable)."""
    gamma = token_scores(X, v, Y)
    L, U, s = score_loss_and_grad(X, Z @ W.T, gamma, loss)  # q_i = W z_i
    return L, U.T @ Z, s


def grad_p(keys, X, v, Y, p, loss: str | Loss = "logistic"):
    r"""$(\mathcal{L}(p), \nabla_p\mathcal{L}, s)$ for the prompt model with keys (n, T, d') and values X."""
    gamma = token_scores(X, v, Y)
    n = keys.shape[0]
    L, U, s = score_loss_and_grad(keys, np.broadcast_to(p, (n, p.shape[0])), gamma, loss)
    return L, U.sum(axis=0), s


def _step(P, G, cfg: GdConfig):
    g = float(np.linalg.norm(G))
    if g == 0.0:
        return None
    return P - (cfg.eta / g if cfg.normalized else cfg.eta) * G


def _run(params, grad_fn, cfg: GdConfig):
    """Generic loop: ``grad_fn(params) -> (L, grads tuple, s)``; returns (params, k, reason, L, logs)."""
    logs_k, logs_p = [], []
    reason, L = "steps", np.nan
    k = 0
    for k in range(cfg.steps + 1):
        L, grads, s = grad_fn(params)
        if cfg.log_every and k % cfg.log_every == 0:
            logs_k.append(k)
            logs_p.append(tuple(p.copy() for p in params))
        if k == cfg.steps:
            break
        if cfg.stop_prob is not None and max_suppressed_prob(s) < cfg.stop_prob:
            reason = "stop_prob"
            break
        new = tuple(_step(P, G, cfg) for P, G in zip(params, grads, strict=True))
        if any(p is None for p in new):
            reason = "zero-gradient"
            break
        params = new
    return params, k, reason, float(L), tuple(logs_k), tuple(logs_p)


def run_gd_w(X, Z, v, Y, W0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    """(N)GD on W from ``W0`` (d, d)."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    W0 = as_float_array("W0", W0, ndim=2)
    d = X.shape[2]
    if W0.shape != (d, d):
        raise InvalidInputError(f"W0 must have shape {(d, d)}, got {W0.shape}")
    lo = get_loss(loss)

    def fn(params):
        L, G, s = grad_w(X, Z, v, Y, params[0], lo)
        return L, (G,), s

    (W,), k, why, L, lk, lp = _run((W0,), fn, cfg)
    return GdResult(W, k, why, L, log_steps=lk, log_params=tuple(p[0] for p in lp))


def run_gd_kq(X, Z, v, Y, K0, Q0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    r"""(N)GD on the factors $K, Q \in \mathbb{R}^{d \times m}$; ``W`` of the result is $KQ^\top$."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    K0 = as_float_array("K0", K0, ndim=2)
    Q0 = as_float_array("Q0", Q0, ndim=2)
    if K0.shape != Q0.shape or K0.shape[0] != X.shape[2]:
        raise InvalidInputError(f"K0, Q0 must both have shape (d, m) with d = {X.shape[2]}")
    lo = get_loss(loss)

    def fn(params):
        K, Q = params
        L, G, s = grad_w(X, Z, v, Y, K @ Q.T, lo)
        lam = cfg.kq_reg
        return L, (G @ Q + 2 * lam * K, G.T @ K + 2 * lam * Q), s

    (K, Q), k, why, L, lk, lp = _run((K0, Q0), fn, cfg)
    return GdResult(K @ Q.T, k, why, L, K, Q, lk, tuple(a @ b.T for a, b in lp))


def run_gd_p(keys, X, v, Y, p0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    """(N)GD on the prompt ``p`` (d',) with keys (n, T, d') and values X (n, T, d); ``W`` holds p."""
    keys = as_float_array("keys", keys, ndim=3)
    X = as_float_array("X", X, ndim=3)
    p0 = as_float_array("p0", p0, ndim=1)
    if keys.shape[:2] != X.shape[:2] or p0.shape != (keys.shape[2],):
        raise InvalidInputError(f"keys {keys.shape}, X {X.shape} and p0 {p0.shape} do not match")
    lo = get_loss(loss)

    def fn(params):
        L, g, s = grad_p(keys, X, v, Y, params[0], lo)
        return L, (g,), s

    (p,), k, why, L, lk, lp = _run((p0,), fn, cfg)
    return GdResult(p, k, why, L, log_steps=lk, log_params=tuple(q[0] for q in lp))
