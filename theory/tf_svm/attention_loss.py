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
from scipy.special import expit, log_softmax

from attnlab.theory.errors import UnknownIdError

__all__ = ["Loss", "LOSSES", "get_loss", "ScoreGrad", "score_loss_and_grad", "loss_gap"]


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


def get_loss(loss: str | Loss) -> Loss:
    """The :class:`Loss` named ``loss`` (``logistic``, ``exponential``, ``correlation``)."""
    if isinstance(loss, Loss):
        return loss
    if loss not in LOSSES:
        raise UnknownIdError("loss", loss, sorted(LOSSES))
    return LOSSES[loss]


#: float64 ``exp`` is exactly 0 below -745.14 (subnormal below -708): clamping logit gaps at -746 changes no bit
#: of the softmax and keeps ``exp`` off huge negative arguments once attention saturates (gaps of -1e4 and beyond).
_EXP_FLOOR = -746.0


class ScoreGrad:
    r"""The stable $\nabla_{q_i}\mathcal{L}$ for fixed keys and scores, batched over leading axes.

    Per-run constants are hoisted out of the call: the score differences $\gamma_{it} - \gamma_{i\tau}$
    (..., n, T, T), and $k_{it} - k_{ir_i}$ for the current reference tokens $r_i = \arg\max_t a_{it}$,
    recomputed only when some $r_i$ changes (after the first GD steps it never does). Everything is a
    batched ``matmul``, so one call serves B instances (``keys`` (..., n, T, d) may broadcast against ``q``).

    Args:
        keys: $k \in \mathbb{R}^{\dots \times n \times T \times d}$.
        gamma: scores $\gamma \in \mathbb{R}^{\dots \times n \times T}$.
        loss: a :class:`Loss` or its name.
    """

    def __init__(self, keys, gamma, loss: str | Loss = "logistic"):
        self.keys, self.gamma, self.loss = keys, gamma, get_loss(loss)
        self.dgamma = gamma[..., :, None] - gamma[..., None, :]  # (..., n, T, T): gamma_t - gamma_tau
        self._ref = None
        self._kd = None

    def __call__(self, q):
        r"""``(L, U, s, dl)`` at queries ``q`` (..., n, d): loss (...), $\nabla_{q_i}\mathcal{L}$ (..., n, d),
        probabilities $s$ (..., n, T) and $\ell'(u_i)$, $u_i = \sum_t s_{it}\gamma_{it}$ (..., n)."""
        keys = self.keys
        logits = (keys @ q[..., None])[..., 0]  # (..., n, T): a_it = k_it^T q_i
        ref = np.argmax(logits, axis=-1)
        logits = logits - np.take_along_axis(logits, ref[..., None], axis=-1)
        np.maximum(logits, _EXP_FLOOR, out=logits)
        e = np.exp(logits)
        s = e / e.sum(-1, keepdims=True)
        centred = (self.dgamma @ s[..., None])[..., 0]  # gamma_t - u = sum_tau s_tau (gamma_t - gamma_tau)
        if self._ref is None or self._ref.shape != ref.shape or not np.array_equal(ref, self._ref):
            kb = np.broadcast_to(keys, ref.shape + keys.shape[-2:])
            k_ref = np.take_along_axis(kb, ref[..., None, None], axis=-2)  # (..., n, 1, d)
            self._ref, self._kd = ref, kb - k_ref
        u = (s * self.gamma).sum(-1)
        dl = self.loss.deriv(u)
        U = ((s * centred)[..., None, :] @ self._kd)[..., 0, :] * (dl / keys.shape[-3])[..., None]
        return self.loss.value(u).mean(axis=-1), U, s, dl


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
