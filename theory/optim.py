r"""The one optimisation engine: batched (normalised) gradient descent over a leading instance axis.

Parameters are a tuple of arrays $P^{(1)}, \dots, P^{(m)}$, each of shape $(B, \dots)$: $B$ independent
instances trained at once. With gradients $G^{(j)} = \nabla_{P^{(j)}}\mathcal{L}$ from ``grad_fn`` the step is

$$P^{(j)}_{k+1} = P^{(j)}_k - \eta_b\, G^{(j)}_k,\qquad
\eta_b = \begin{cases} \eta / (\|G^{(j)}_{k,b}\|_F + \epsilon) & \text{normalised GD (each factor separately)}\\
\eta & \text{plain GD}\end{cases}$$

per instance $b$. An instance *freezes* (keeps its parameters, stops counting steps) when a stopping rule
fires for it (``stop(k, params, aux)``, reason ``stop``) or, with $\epsilon = 0$, when one of its gradients is
exactly 0 (reason ``zero-gradient``: normalising it is undefined). The loop ends after ``steps`` updates or
when every instance is frozen. Iterates are logged at every ``log_every``-th step (or where a predicate says)
and always at the last one.

The loop is written once, against a small set of array operations (:class:`ArrayOps`): :data:`NUMPY_OPS`
here (float64, the reference), and torch's in :mod:`attnlab.gpu.optim`, so the CPU and GPU engines cannot
drift apart. Paper-specific gradients live with their papers (:mod:`attnlab.theory.tf_svm.attention_gd`).

No numba in this loop: profiled at the official local-convergence size (B = 100, n = 6, T = 8, d = 10), its
own bookkeeping is a small part of a step and the gradient most of it, so the gradient is where numba is used
(:mod:`attnlab.theory.tf_svm._score_kernel`, the one numba kernel of the project, with its measurements).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ArrayOps", "NUMPY_OPS", "Trace", "STOP_REASONS", "run_gd"]

#: reason codes of :attr:`Trace.reasons`
STOP_REASONS = ("steps", "zero-gradient", "stop")


@dataclass(frozen=True)
class ArrayOps:
    """The array operations the loop needs, for one array library."""

    asarray: Callable[[Any], Any]  # numpy -> this library's array (its dtype and device)
    to_numpy: Callable[[Any], np.ndarray]  # -> float64 numpy
    norms: Callable[[Any], Any]  # (B, ...) -> (B,) Frobenius norm per instance
    ones_bool: Callable[[int, Any], Any]  # (B, like) -> (B,) True on like's device
    zeros_int: Callable[[int, Any], Any]  # (B, like) -> (B,) 0
    where: Callable[[Any, Any, Any], Any]
    copy: Callable[[Any], Any]
    sort_last: Callable[[Any], Any]  # sorted along the last axis


NUMPY_OPS = ArrayOps(
    asarray=lambda a: np.asarray(a, dtype=np.float64),
    to_numpy=lambda a: np.asarray(a, dtype=np.float64),
    norms=lambda g: np.sqrt(np.einsum("bi,bi->b", g.reshape(g.shape[0], -1), g.reshape(g.shape[0], -1))),
    ones_bool=lambda B, like: np.ones(B, dtype=bool),
    zeros_int=lambda B, like: np.zeros(B, dtype=np.int64),
    where=np.where,
    copy=np.copy,
    sort_last=lambda a: np.sort(a, axis=-1),
)


@dataclass(frozen=True)
class Trace:
    """Result of :func:`run_gd`.

    ``params``: final parameters (each (B, ...)); ``steps_run`` (B,) updates made per instance; ``reasons``
    (B,) codes into :data:`STOP_REASONS`; ``aux``: ``grad_fn``'s auxiliary output at the final parameters;
    ``log_steps`` (L,), ``log_params`` (L tuples of arrays) and, with ``keep_aux``, ``log_aux`` (L).
    """

    params: tuple
    steps_run: np.ndarray
    reasons: np.ndarray
    aux: Any
    log_steps: tuple[int, ...] = ()
    log_params: tuple = field(default=(), repr=False)
    log_aux: tuple = field(default=(), repr=False)

    @property
    def stopped_by(self) -> tuple[str, ...]:
        return tuple(STOP_REASONS[int(r)] for r in self.reasons)


def run_gd(params: Sequence, grad_fn: Callable, *, steps: int, eta: float, normalized: bool = True,
           eps: float = 0.0, log_every: int | Callable[[int], bool] = 0, stop: Callable | None = None,
           keep_aux: bool = False,
           ops: ArrayOps = NUMPY_OPS) -> Trace:
    r"""Batched (normalised) GD from ``params`` (tuple of (B, ...) arrays).

    Args:
        grad_fn: ``params -> (grads, aux)``, ``grads`` a tuple shaped like ``params``.
        steps: number of updates; ``eta``: step size; ``normalized``: divide by $\|G\|_F + $ ``eps``.
        log_every: log every ``log_every``-th iterate (0: only the last), or a predicate ``k -> bool``.
        stop: optional ``(k, params, aux) -> (B,) bool``: instances to freeze before step ``k``'s update.
        keep_aux: also log ``aux`` at the logged iterates.
        ops: the array library (:data:`NUMPY_OPS`, or :data:`attnlab.gpu.optim.TORCH_OPS`).
    """
    params = tuple(params)
    B = params[0].shape[0]
    active = ops.ones_bool(B, params[0])
    done = ops.zeros_int(B, params[0])
    reason = ops.zeros_int(B, params[0])
    logs_k, logs_p, logs_a = [], [], []
    k, aux = 0, None
    log_at = log_every if callable(log_every) else (lambda k: bool(log_every) and k % log_every == 0)
    for k in range(steps + 1):
        grads, aux = grad_fn(params)
        if k == steps:
            break
        if stop is not None:
            hit = active & stop(k, params, aux)
            reason[hit] = STOP_REASONS.index("stop")
            active &= ~hit
        norms = [ops.norms(g) for g in grads]
        if eps == 0.0:
            for nm in norms:
                hit = active & (nm == 0)
                reason[hit] = STOP_REASONS.index("zero-gradient")
                active &= ~hit
        if not bool(active.any()):
            break
        if log_at(k):
            logs_k.append(k)
            logs_p.append(tuple(ops.copy(p) for p in params))
            logs_a.append(aux)
        new = []
        for P, G, nm in zip(params, grads, norms, strict=True):
            scale = eta / ops.where(nm > 0, nm + eps, 1.0) if normalized else eta + 0.0 * nm
            scale = ops.where(active, scale, 0.0)
            new.append(P - scale.reshape((B,) + (1,) * (P.ndim - 1)) * G)
        params = tuple(new)
        done += active
    logs_k.append(k)
    logs_p.append(params)
    logs_a.append(aux)
    return Trace(params, ops.to_numpy(done).astype(np.int64), ops.to_numpy(reason).astype(np.int64), aux, tuple(logs_k), tuple(logs_p),
                 tuple(logs_a) if keep_aux else ())
