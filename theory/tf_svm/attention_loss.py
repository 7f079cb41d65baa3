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

__all__ = ["Loss", "LOSSES", "get_loss", "score_loss_and_grad", "loss_gap"]

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


def get_loss(loss: str | Loss) -> Loss:
    """The :class:`Loss` named ``loss`` (``logistic``, ``exponential``, ``correlation``)."""
    if isinstance(loss, Loss):
        return loss
    if loss not in LOSSES:
        raise UnknownIdError("loss", loss, sorted(LOSSES))
    return LOSSES[loss]


def _stable_terms(keys: np.ndarray, q: np.ndarray, gamma: np.ndarray):
    # keys (..., n, T, d), q (..., n, d), gamma (..., n, T)
    logits = np.einsum("...ntd,...nd->...nt", keys, q)
    logp = log_softmax(logits, axis=-1)
    s = np.exp(logp)
    diff = gamma[..., :, None] - gamma[..., None, :]  # (..., n, T, T): gamma_t - gamma_tau
    centred = np.einsum("...tu,...u->...t", diff, s)  # gamma_t - u, no cancellation
    ref = np.argmax(logp, axis=-1)  # (..., n)
    u = np.einsum("...nt,...nt->...n", s, gamma)
    return s, centred, ref, u


def score_loss_and_grad(keys, q, gamma, loss: str | Loss = "logistic"):
    r"""Loss $\frac1n\sum_i \ell(u_i)$ and the stable $\nabla_{q_i}\mathcal{L}$, shape (..., n, d).

    Args:
        keys: $k \in \mathbb{R}^{\dots \times n \times T \times d}$.
        q: queries $q \in \mathbb{R}^{\dots \times n \times d}$ (logits $k_{it}^\top q_i$).
        gamma: scores $\gamma \in \mathbb{R}^{\dots \times n \times T}$.
        loss: a :class:`Loss` or its name.

    Returns:
        ``(L, U, s)``: loss (shape ``...``), gradient with respect to each $q_i$, probabilities.
    """
    lo = get_loss(loss)
    s, centred, ref, u = _stable_terms(keys, q, gamma)
    n = keys.shape[-3]
    k_ref = np.take_along_axis(keys, ref[..., None, None], axis=-2)  # (..., n, 1, d)
    weights = s * centred  # (..., n, T), sums to 0 over T
    U = np.einsum("...nt,...ntd->...nd", weights, keys - k_ref) * (lo.deriv(u) / n)[..., None]
    return lo.value(u).mean(axis=-1), U, s


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
