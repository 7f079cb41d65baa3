r"""(Normalised) GD on every TF-SVM parameterisation: $W$, $(K, Q)$, the prompt $p$, and joint $(v, p)$.

All four are batched over a leading instance axis $B$ and run by the one loop :func:`attnlab.theory.optim.run_gd`
with the stable gradient of :class:`attnlab.theory.tf_svm.attention_loss.ScoreGrad` (written once; its torch twin
is :mod:`attnlab.gpu.tf_svm.attention_gd`, which reuses everything below through ``ops``/``score_grad``):

* $W$: $q_i = W z_i$, $\nabla_W\mathcal{L} = \sum_i \nabla_{q_i}\mathcal{L}\, z_i^\top$.
* $(K, Q)$, $W = KQ^\top$: $\nabla_K = G Q + 2\lambda K$, $\nabla_Q = G^\top K + 2\lambda Q$ with $G = \nabla_W\mathcal{L}$
  and the official $\lambda(\|K\|_F^2 + \|Q\|_F^2)$ term (``GdConfig.kq_reg``).
* prompt $p$ (keys $k_{it}$, e.g. $W^\top x_{it}$): $q_i = p$ for every $i$, $\nabla_p = \sum_i \nabla_{q_i}\mathcal{L}$.
* joint $(v, p)$ (keys and values $X$): scores $\gamma_{it} = Y_i v^\top x_{it}$ move with $v$;
  $\nabla_v = \tfrac1n\sum_i \ell'(u_i) Y_i X_i^\top s_i$.

Normalised GD (the official experiments, float64, $\eta = 0.1$) divides each factor's gradient by its own
Frobenius norm (+ ``GdConfig.eps``, the notebooks' $\epsilon$; default 0). With $\epsilon = 0$ an exactly zero
gradient (probabilities underflowed) freezes the instance (``stopped_by="zero-gradient"``). Optional stopping
rule: stop when $\max_i \max_{t \ne r_i} s_{it} <$ ``stop_prob`` (every non-selected token suppressed below it).

Paper notation: W, K, Q, p, v, eta as in TF-SVM section 2 / MMTS (unverified locators); NGD as in the official
code (umich-sota/TF-as-SVM, src).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.optim import NUMPY_OPS, ArrayOps, run_gd
from attnlab.theory.tf_svm.attention_loss import Loss, ScoreGrad, get_loss
from attnlab.theory.tf_svm.attention_model import check_instance, token_scores

__all__ = ["GdConfig", "GdResult", "BatchGdResult", "grad_w", "grad_p", "grad_vp", "max_suppressed_prob",
           "batched_gd_w", "batched_gd_kq", "batched_gd_p", "batched_gd_vp",
           "run_gd_w", "run_gd_kq", "run_gd_p", "run_gd_vp"]


@dataclass(frozen=True)
class GdConfig:
    """Step size ``eta``, number of ``steps``, ``normalized`` (NGD) or plain GD, NGD denominator ``eps``,
    stopping rule, logging (every ``log_every``-th iterate and always the last; 0: only the last)."""

    steps: int = 2000
    eta: float = 0.1
    normalized: bool = True
    stop_prob: float | None = None
    log_every: int = 0
    kq_reg: float = 0.0  # lambda of the official (K, Q) runs is float64 eps
    eps: float = 0.0  # the notebooks' g / (||g|| + eps); 0: a zero gradient freezes the run

    def __post_init__(self):
        if self.steps < 0 or self.eta <= 0 or self.log_every < 0 or self.kq_reg < 0 or self.eps < 0:
            raise InvalidInputError(f"GdConfig needs steps >= 0, eta > 0, log_every >= 0, kq_reg >= 0, eps >= 0: "
                                    f"{self}")
        if self.stop_prob is not None and not 0 < self.stop_prob < 1:
            raise InvalidInputError(f"stop_prob must be in (0, 1), got {self.stop_prob}")


@dataclass(frozen=True)
class BatchGdResult:
    """Final parameters of B runs as float64 numpy: ``W`` (B, d, d) ($KQ^\\top$ for factored runs, p (B, d')
    for prompt runs), ``K``/``Q``/``v`` where trained; per-run ``steps_run``, ``stopped_by`` and final ``loss``;
    logged iterates ``log_W`` (L, B, ...) (and ``log_v``) at ``log_steps``, softmax ``log_s`` (L, B, n, T)."""

    W: np.ndarray
    steps_run: np.ndarray
    stopped_by: tuple[str, ...]
    loss: np.ndarray
    K: np.ndarray | None = None
    Q: np.ndarray | None = None
    v: np.ndarray | None = None
    log_steps: tuple[int, ...] = ()
    log_W: np.ndarray | None = field(default=None, repr=False)
    log_v: np.ndarray | None = field(default=None, repr=False)
    log_s: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class GdResult:
    """One run: final parameters (``W``, or ``p``; ``K``/``Q`` for factored runs, ``v`` for joint runs), steps
    run, why it stopped (``steps`` | ``zero-gradient`` | ``stop_prob``), final loss, logged iterates."""

    W: np.ndarray
    steps_run: int
    stopped_by: str
    loss: float
    K: np.ndarray | None = None
    Q: np.ndarray | None = None
    log_steps: tuple[int, ...] = ()
    log_params: tuple[np.ndarray, ...] = field(default=(), repr=False)
    v: np.ndarray | None = None


def max_suppressed_prob(s: np.ndarray) -> float:
    r"""$\max_i \max_{t \ne \arg\max s_i} s_{it}$ for probabilities ``s`` (n, T)."""
    return float(np.sort(s, axis=-1)[..., -2].max())


# ---------------------------------------------------------------- gradient functions of the loop (params (B, ...))
# Written with ``@``, ``.mT`` and ``.sum`` only, so the same code runs on numpy arrays and torch tensors.


def _w_grads(sg, Z):
    def fn(params):
        (W,) = params
        L, U, s, _ = sg(Z @ W.mT)  # q_i = W z_i
        return (U.mT @ Z,), (L, s)
    return fn


def _kq_grads(sg, Z, lam: float):
    def fn(params):
        K, Q = params
        L, U, s, _ = sg(Z @ (K @ Q.mT).mT)
        G = U.mT @ Z
        return (G @ Q + 2 * lam * K, G.mT @ K + 2 * lam * Q), (L, s)
    return fn


def _p_grads(sg):
    def fn(params):
        (p,) = params
        L, U, s, _ = sg(p[..., None, :])  # q_i = p for every i (broadcast over n)
        return (U.sum(-2),), (L, s)
    return fn


def _vp_grads(keys, X, Y, score_grad, loss):
    n = X.shape[-3]

    def fn(params):
        p, v = params
        gamma = Y[..., None] * (X @ v[..., None, :, None])[..., 0]  # (B, n, T): Y_i v^T x_it
        L, U, s, dl = score_grad(keys, gamma, loss)(p[..., None, :])
        xs = (s[..., None, :] @ X)[..., 0, :]  # (B, n, d): X_i^T s_i
        return (U.sum(-2), ((dl * Y)[..., None] * xs).sum(-2) / n), (L, s)
    return fn


# ---------------------------------------------------------------- one-call gradients (numpy, float64)


def grad_w(X, Z, v, Y, W, loss: str | Loss = "logistic"):
    r"""$(\mathcal{L}(W), \nabla_W \mathcal{L}, s)$ with $\nabla_W\mathcal{L} = \sum_i u_i z_i^\top$ (stable);
    ``W`` (d, d), or a batch (B, d, d) of matrices for the same instance."""
    gamma = token_scores(X, v, Y)
    W = np.asarray(W, dtype=np.float64)
    (G,), (L, s) = _w_grads(ScoreGrad(X, gamma, loss), Z)((W,))
    return L, G, s


def grad_p(keys, X, v, Y, p, loss: str | Loss = "logistic"):
    r"""$(\mathcal{L}(p), \nabla_p\mathcal{L}, s)$ for the prompt model with keys (n, T, d') and values X."""
    (g,), (L, s) = _p_grads(ScoreGrad(keys, token_scores(X, v, Y), loss))((np.asarray(p, dtype=np.float64),))
    return L, g, s


def grad_vp(keys, X, Y, p, v, loss: str | Loss = "logistic"):
    r"""$(\mathcal{L}, \nabla_p\mathcal{L}, \nabla_v\mathcal{L}, s)$ of the joint model (keys (n, T, d'), values X)."""
    (gp, gv), (L, s) = _vp_grads(keys, X, Y, ScoreGrad, loss)((np.asarray(p, float), np.asarray(v, float)))
    return float(L), gp, gv, s


# ---------------------------------------------------------------- batched runs


def _suppressed_below(ops: ArrayOps, level: float):
    """Stopping rule of ``GdConfig.stop_prob``: every non-selected probability of an instance below ``level``."""
    def stop(k, params, aux):
        return (ops.sort_last(aux[1])[..., -2] < level).all(-1)
    return stop


def _either(a, b):
    if a is None or b is None:
        return a or b
    return lambda k, params, aux: a(k, params, aux) | b(k, params, aux)


def _run(params, grad_fn, cfg: GdConfig, ops: ArrayOps, stop, keep_s: bool):
    rule = _suppressed_below(ops, cfg.stop_prob) if cfg.stop_prob is not None else None
    tr = run_gd(tuple(ops.asarray(p) for p in params), grad_fn, steps=cfg.steps, eta=cfg.eta,
                normalized=cfg.normalized, eps=cfg.eps, log_every=cfg.log_every, stop=_either(rule, stop),
                keep_aux=keep_s, ops=ops)
    stopped = tuple("stop_prob" if r == "stop" and rule is not None else r for r in tr.stopped_by)
    final = tuple(ops.to_numpy(p) for p in tr.params)
    logs = tuple(tuple(ops.to_numpy(p) for p in ps) for ps in tr.log_params)
    log_s = np.stack([ops.to_numpy(a[1]) for a in tr.log_aux]) if keep_s else None
    return final, logs, log_s, dict(steps_run=tr.steps_run, stopped_by=stopped, loss=ops.to_numpy(tr.aux[0]),
                                    log_steps=tr.log_steps)


def _batched(name, arr, shape):
    arr = np.asarray(arr, dtype=np.float64)
    if arr.shape != shape:
        raise InvalidInputError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _instance_batch(X, Z, v, Y):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 4:
        raise InvalidInputError(f"X must have shape (B, n, T, d), got {X.shape}")
    B, n, T, d = X.shape
    Z, v, Y = _batched("Z", Z, (B, n, d)), _batched("v", v, (B, d)), _batched("Y", Y, (B, n))
    if not (np.isfinite(X).all() and np.isfinite(Z).all() and np.isfinite(v).all()):
        raise InvalidInputError("X, Z and v must be finite")
    return X, Z, v, Y, Y[..., None] * np.einsum("bntd,bd->bnt", X, v)


def _prompt_batch(keys, X, v, Y, p0):
    keys = np.asarray(keys, dtype=np.float64)
    X, _, v, Y, gamma = _instance_batch(X, np.zeros(np.shape(X)[:2] + np.shape(X)[3:]), v, Y)
    if keys.ndim != 4 or keys.shape[:3] != X.shape[:3]:
        raise InvalidInputError(f"keys must have shape (B, n, T, d') matching X {X.shape}, got {keys.shape}")
    return keys, X, v, Y, gamma, _batched("p0", p0, (X.shape[0], keys.shape[3]))


def batched_gd_w(X, Z, v, Y, W0, cfg: GdConfig, loss: str | Loss = "logistic", *, stop=None, keep_s: bool = False,
                 ops: ArrayOps = NUMPY_OPS, score_grad=ScoreGrad) -> BatchGdResult:
    """(N)GD on W for B instances: X (B, n, T, d), Z (B, n, d), v (B, d), Y (B, n), ``W0`` (B, d, d).

    ``stop(k, params, aux) -> (B,) bool`` adds a stopping rule (reason ``stop``); ``keep_s`` logs the softmax.
    """
    X, Z, v, Y, gamma = _instance_batch(X, Z, v, Y)
    B, _, _, d = X.shape
    W0 = _batched("W0", W0, (B, d, d))
    sg = score_grad(ops.asarray(X), ops.asarray(gamma), get_loss(loss))
    (W,), logs, log_s, info = _run((W0,), _w_grads(sg, ops.asarray(Z)), cfg, ops, stop, keep_s)
    return BatchGdResult(W, **info, log_W=np.stack([p[0] for p in logs]), log_s=log_s)


def batched_gd_kq(X, Z, v, Y, K0, Q0, cfg: GdConfig, loss: str | Loss = "logistic", *, keep_s: bool = False,
                  ops: ArrayOps = NUMPY_OPS, score_grad=ScoreGrad) -> BatchGdResult:
    r"""(N)GD on the factors $K, Q$ (B, d, m) for B instances; ``W`` of the result is $KQ^\top$."""
    X, Z, v, Y, gamma = _instance_batch(X, Z, v, Y)
    K0 = np.asarray(K0, dtype=np.float64)
    if K0.ndim != 3 or K0.shape[:2] != (X.shape[0], X.shape[3]):
        raise InvalidInputError(f"K0 must have shape (B, d, m) = {X.shape[0], X.shape[3]} + (m,), got {K0.shape}")
    Q0 = _batched("Q0", Q0, K0.shape)
    sg = score_grad(ops.asarray(X), ops.asarray(gamma), get_loss(loss))
    (K, Q), logs, log_s, info = _run((K0, Q0), _kq_grads(sg, ops.asarray(Z), cfg.kq_reg), cfg, ops, None, keep_s)
    return BatchGdResult(K @ Q.mT, **info, K=K, Q=Q, log_W=np.stack([a @ b.mT for a, b in logs]), log_s=log_s)


def batched_gd_p(keys, X, v, Y, p0, cfg: GdConfig, loss: str | Loss = "logistic", *, keep_s: bool = False,
                 ops: ArrayOps = NUMPY_OPS, score_grad=ScoreGrad) -> BatchGdResult:
    """(N)GD on prompts (B, d') with keys (B, n, T, d') and values X (B, n, T, d); ``W`` holds p."""
    keys, X, v, Y, gamma, p0 = _prompt_batch(keys, X, v, Y, p0)
    sg = score_grad(ops.asarray(keys), ops.asarray(gamma), get_loss(loss))
    (p,), logs, log_s, info = _run((p0,), _p_grads(sg), cfg, ops, None, keep_s)
    return BatchGdResult(p, **info, log_W=np.stack([q[0] for q in logs]), log_s=log_s)


def batched_gd_vp(keys, X, Y, p0, v0, cfg: GdConfig, loss: str | Loss = "logistic", *, keep_s: bool = False,
                  ops: ArrayOps = NUMPY_OPS, score_grad=ScoreGrad) -> BatchGdResult:
    """Joint (N)GD on prompts p (B, d') and heads v (B, d), each normalised separately; ``W`` holds p."""
    keys, X, v0, Y, _, p0 = _prompt_batch(keys, X, v0, Y, p0)
    fn = _vp_grads(ops.asarray(keys), ops.asarray(X), ops.asarray(Y), score_grad, get_loss(loss))
    (p, v), logs, log_s, info = _run((p0, v0), fn, cfg, ops, None, keep_s)
    return BatchGdResult(p, **info, v=v, log_W=np.stack([q[0] for q in logs]), log_v=np.stack([q[1] for q in logs]),
                         log_s=log_s)


# ---------------------------------------------------------------- one instance (B = 1)


def _single(res: BatchGdResult, log_params) -> GdResult:
    return GdResult(res.W[0], int(res.steps_run[0]), res.stopped_by[0], float(res.loss[0]),
                    None if res.K is None else res.K[0], None if res.Q is None else res.Q[0], res.log_steps,
                    tuple(log_params), None if res.v is None else res.v[0])


def run_gd_w(X, Z, v, Y, W0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    """(N)GD on W from ``W0`` (d, d)."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    W0 = as_float_array("W0", W0, ndim=2)
    if W0.shape != (X.shape[2],) * 2:
        raise InvalidInputError(f"W0 must have shape {(X.shape[2],) * 2}, got {W0.shape}")
    res = batched_gd_w(X[None], Z[None], v[None], Y[None], W0[None], cfg, loss)
    return _single(res, res.log_W[:, 0])


def run_gd_kq(X, Z, v, Y, K0, Q0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    r"""(N)GD on the factors $K, Q \in \mathbb{R}^{d \times m}$; ``W`` of the result is $KQ^\top$."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    K0 = as_float_array("K0", K0, ndim=2)
    Q0 = as_float_array("Q0", Q0, ndim=2)
    if K0.shape != Q0.shape or K0.shape[0] != X.shape[2]:
        raise InvalidInputError(f"K0, Q0 must both have shape (d, m) with d = {X.shape[2]}")
    res = batched_gd_kq(X[None], Z[None], v[None], Y[None], K0[None], Q0[None], cfg, loss)
    return _single(res, res.log_W[:, 0])


def _prompt_inputs(keys, X, p0):
    keys = as_float_array("keys", keys, ndim=3)
    X = as_float_array("X", X, ndim=3)
    p0 = as_float_array("p0", p0, ndim=1)
    if keys.shape[:2] != X.shape[:2] or p0.shape != (keys.shape[2],):
        raise InvalidInputError(f"keys {keys.shape}, X {X.shape} and p0 {p0.shape} do not match")
    return keys, X, p0


def run_gd_p(keys, X, v, Y, p0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    """(N)GD on the prompt ``p`` (d',) with keys (n, T, d') and values X (n, T, d); ``W`` holds p."""
    keys, X, p0 = _prompt_inputs(keys, X, p0)
    _, _, v, Y = check_instance(X, np.zeros(X.shape[::2]), v, Y)
    res = batched_gd_p(keys[None], X[None], v[None], Y[None], p0[None], cfg, loss)
    return _single(res, res.log_W[:, 0])


def run_gd_vp(keys, X, Y, p0, v0, cfg: GdConfig, loss: str | Loss = "logistic") -> GdResult:
    """Joint (N)GD on (p, v) from ``p0`` (d',), ``v0`` (d,); ``W`` holds p, ``log_params`` the (p, v) pairs."""
    keys, X, p0 = _prompt_inputs(keys, X, p0)
    _, _, v0, Y = check_instance(X, np.zeros(X.shape[::2]), v0, Y)
    res = batched_gd_vp(keys[None], X[None], Y[None], p0[None], v0[None], cfg, loss)
    return _single(res, zip(res.log_W[:, 0], res.log_v[:, 0], strict=True))
