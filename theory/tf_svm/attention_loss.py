r"""Losses $\mathcal{L}(W) = \frac1n \sum_i \ell(Y_i f_i)$ and a gradient that stays correct after softmax saturates.

With logits $a_{it} = k_{it}^\top q_i$ (keys $k_{it}$, query $q_i$; for the TF-SVM model $k_{it} = x_{it}$,
$q_i = W z_i$), probabilities $s_i = \mathbb{S}(a_i)$ and scores $\gamma_{it}$,
$u_i := Y_i f_i = \sum_t s_{it}\gamma_{it}$ and

$$\nabla_{q_i} \mathcal{L} = \tfrac1n \ell'(u_i) \sum_t s_{it} (\gamma_{it} - u_i)(k_{it} - k_{i r_i}),\qquad
\gamma_{it} - u_i = \sum_\tau s_{i\tau} (\gamma_{it} - \gamma_{i\tau}),$$

where $r_i = \arg\max_t s_{it}$. Both rewritings are exact (the weights $s_t(\gamma_t - u)$ sum to zero). The
naive form $X^\top(\mathrm{diag}(s) - s s^\top)\gamma$ subtracts nearly equal numbers once $1 - \max s \approx
10^{-16}$, and its result is then rounding noise that normalised GD follows (tf_svm spec, pitfall 1).
Here every term is a product of a (possibly tiny) probability from log-softmax and a difference of data,
so the gradient keeps full relative accuracy until the probabilities underflow (margins ~ 700).

Losses (Assumption A, unverified locator): logistic $\log(1+e^{-u})$, exponential $e^{-u}$, correlation $-u$.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from attnlab.theory._lazy import lazy_function
from attnlab.theory.errors import UnknownIdError

__all__ = ["Loss", "LOSSES", "RESCALED_LOGISTIC", "get_loss", "ScoreGrad", "score_loss_and_grad", "loss_gap"]

# scipy loads on first use, not when the claims that import this module register
expit = lazy_function("scipy.special", "expit")
log_softmax = lazy_function("scipy.special", "log_softmax")


@dataclass(frozen=True)
class Loss:
    r"""A margin loss $\ell$ with derivative and a cancellation-free difference
    $\ell(u^\star + \delta) - \ell(u^\star)$ (``diff``)."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    deriv: Callable[[np.ndarray], np.ndarray]
    diff: Callable[[np.ndarray, np.ndarray], np.ndarray]


LOSSES: dict[str, Loss] = {
    "logistic": Loss(
        "logistic",
        lambda u: np.logaddexp(0.0, -u),
        lambda u: -expit(-u),
        lambda us, dl: np.log1p(expit(-us) * np.expm1(-dl)),
    ),
    "exponential": Loss(
        "exponential",
        lambda u: np.exp(-u),
        lambda u: -np.exp(-u),
        lambda us, dl: np.exp(-us) * np.expm1(-dl),
    ),
    "correlation": Loss("correlation", lambda u: -u, lambda u: -np.ones_like(u), lambda us, dl: -dl),
}


def _rescaled_logistic_deriv(u):
    r"""$\ell'(u_i)/\max_j|\ell'(u_j)|$ over the inputs (last axis), from $\log|\ell'(u)| = -\log(1 + e^{u})$."""
    log_neg = -np.logaddexp(0.0, u)
    return -np.exp(log_neg - log_neg.max(axis=-1, keepdims=True))


#: The logistic loss whose derivative is divided by $\max_j |\ell'(u_j)|$ over the n inputs. Normalised GD is
#: invariant to a positive factor common to all inputs (and, for joint (v, p) runs, common to both factors, whose
#: gradients are both linear in $\ell'(u_i)$), so this gives the same NGD iterates as ``LOSSES["logistic"]`` in exact
#: arithmetic; in float64 it does not underflow when every $u_i > 745$ ($\ell'(u) = -e^{-u}$ rounds to 0 there and
#: froze joint NGD after ~300 steps: ``proofs_checks/tf_svm/DERIVATIONS.md#joint-relax-strict``). Only for NGD:
#: plain GD's step depends on the factor. ``value`` and ``diff`` are the logistic loss's.
RESCALED_LOGISTIC = Loss("logistic-rescaled-for-ngd", LOSSES["logistic"].value, _rescaled_logistic_deriv,
                         LOSSES["logistic"].diff)


def get_loss(loss: str | Loss) -> Loss:
    """The :class:`Loss` named ``loss`` (``logistic``, ``exponential``, ``correlation``)."""
    if isinstance(loss, Loss):
        return loss
    if loss not in LOSSES:
        raise UnknownIdError("loss", loss, sorted(LOSSES))
    return LOSSES[loss]


class ScoreGrad:
    r"""The stable $\nabla_{q_i}\mathcal{L}$ for fixed keys and scores, batched over leading axes.

    The per-row work (logits, reference token, clamped softmax, the cancellation-free weights
    $s_{it}\sum_\tau s_{i\tau}(\gamma_{it} - \gamma_{i\tau})$ and their sum against $k_{it} - k_{ir_i}$) is one fused
    numba loop, :func:`attnlab.theory.tf_svm._score_kernel.score_rows` (imported at the first call); the loss
    $\ell$, $\ell'$ is applied here from :data:`LOSSES`. Keys and scores are made contiguous once per batch
    shape, so a GD loop calls only the kernel. ``keys`` (..., n, T, d) may broadcast against ``q`` (..., n, d).

    Measured: ~2x faster per call than the batched-numpy form it replaced (numbers in the kernel's docstring).

    Args:
        keys: $k \in \mathbb{R}^{\dots \times n \times T \times d}$.
        gamma: scores $\gamma \in \mathbb{R}^{\dots \times n \times T}$.
        loss: a :class:`Loss` or its name.
    """

    def __init__(self, keys, gamma, loss: str | Loss = "logistic"):
        self.keys, self.gamma, self.loss = np.asarray(keys), np.asarray(gamma), get_loss(loss)
        self._rows = None  # (lead shape, keys (R, T, d), gamma (R, T)) for the last batch shape

    def _rows_for(self, lead):
        if self._rows is None or self._rows[0] != lead:
            T, d = self.keys.shape[-2:]
            K = np.ascontiguousarray(np.broadcast_to(self.keys, lead + (T, d)), dtype=np.float64).reshape(-1, T, d)
            g = np.ascontiguousarray(np.broadcast_to(self.gamma, lead + (T,)), dtype=np.float64).reshape(-1, T)
            self._rows = (lead, K, g)
        return self._rows[1], self._rows[2]

    def __call__(self, q):
        r"""``(L, U, s, dl)`` at queries ``q`` (..., n, d): loss (...), $\nabla_{q_i}\mathcal{L}$ (..., n, d),
        probabilities $s$ (..., n, T) and $\ell'(u_i)$, $u_i = \sum_t s_{it}\gamma_{it}$ (..., n)."""
        from attnlab.theory.tf_svm._score_kernel import score_rows

        q = np.asarray(q, dtype=np.float64)
        T, d = self.keys.shape[-2:]
        lead = np.broadcast_shapes(self.keys.shape[:-2], self.gamma.shape[:-1], q.shape[:-1])
        K, g = self._rows_for(lead)
        V, s, u = score_rows(K, np.ascontiguousarray(np.broadcast_to(q, lead + (d,))).reshape(-1, d), g)
        u = u.reshape(lead)
        dl = self.loss.deriv(u)
        U = V.reshape(lead + (d,)) * (dl / lead[-1])[..., None]
        return self.loss.value(u).mean(axis=-1), U, s.reshape(lead + (T,)), dl


def score_loss_and_grad(keys, q, gamma, loss: str | Loss = "logistic"):
    r"""Loss $\frac1n\sum_i \ell(u_i)$ and the stable $\nabla_{q_i}\mathcal{L}$, shape (..., n, d).

    One-off call of :class:`ScoreGrad` (a GD loop keeps the instance to reuse its hoisted constants).

    Returns:
        ``(L, U, s)``: loss (shape ``...``), gradient with respect to each $q_i$, probabilities.
    """
    L, U, s, _ = ScoreGrad(keys, gamma, loss)(q)
    return L, U, s


def loss_gap(keys, q, gamma, loss: str | Loss = "logistic") -> np.ndarray:
    r"""$\mathcal{L} - \mathcal{L}^\star$ with $\mathcal{L}^\star = \frac1n\sum_i \ell(\max_t \gamma_{it})$, without cancellation.

    $u_i - \gamma_{i,\mathrm{opt}} = \sum_\tau s_{i\tau}(\gamma_{i\tau} - \gamma_{i,\mathrm{opt}}) \le 0$, then ``Loss.diff``.
    """
    lo = get_loss(loss)
    logits = np.einsum("...ntd,...nd->...nt", keys, q)
    s = np.exp(log_softmax(logits, axis=-1))
    top = gamma.max(axis=-1)
    delta = np.einsum("...nt,...nt->...n", s, gamma - top[..., None])
    return lo.diff(top, delta).mean(axis=-1)
