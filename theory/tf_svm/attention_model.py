r"""Single-output attention $f(X, z) = v^\top X^\top \mathbb{S}(X W z)$, its losses and token scores.

Shapes: tokens $X \in \mathbb{R}^{n \times T \times d}$ (input $i$ has rows $x_{it}$), queries
$Z \in \mathbb{R}^{n \times d}$, head $v \in \mathbb{R}^d$, labels $Y \in \{\pm 1\}^n$, key-query matrix
$W = K Q^\top \in \mathbb{R}^{d \times d}$. Cross-attention takes a separate query $z_i$; self-attention
takes $z_i = x_{i1}$. The prompt-attention model of the predecessor paper scores token $t$ by $k_{it}^\top p$
with keys $k_{it} = W^\top x_{it}$, i.e. it is the same model with $q_i = p$ for every $i$.

Token score $\gamma_{it} = Y_i\, v^\top x_{it}$; optimal token $\mathrm{opt}_i = \arg\max_t \gamma_{it}$.

Paper notation: our X, Z, v, Y, W, K, Q, alpha are the TF-SVM paper's X_i, z_i, v, Y_i, W, K, Q, alpha
(arXiv 2308.16898 v3, section 2; wording unverified); our p, keys are MMTS's p and W^T x (arXiv 2306.13596).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._lazy import lazy_function
from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError

log_softmax = lazy_function("scipy.special", "log_softmax")  # scipy loads on first use

__all__ = [
    "check_alpha",
    "check_instance",
    "attention_logits",
    "attention_probs",
    "relu_head_output",
    "token_scores",
    "optimal_tokens",
    "selection_margins",
]


def check_instance(X, Z, v=None, Y=None) -> tuple[np.ndarray, ...]:
    r"""Validate shapes $X \in \mathbb{R}^{n\times T\times d}$, $Z \in \mathbb{R}^{n \times d}$, $v \in \mathbb{R}^d$,
    $Y \in \{\pm1\}^n$; return float64 copies (``v``/``Y`` omitted when ``None``)."""
    X = as_float_array("X", X, ndim=3)
    Z = as_float_array("Z", Z, ndim=2)
    n, T, d = X.shape
    if Z.shape != (n, d):
        raise InvalidInputError(f"Z must have shape (n, d) = {(n, d)} to match X {X.shape}, got {Z.shape}")
    if T < 2:
        raise InvalidInputError(f"each input needs T >= 2 tokens, got T = {T}")
    out = [X, Z]
    if v is not None:
        v = as_float_array("v", v, ndim=1)
        if v.shape != (d,):
            raise InvalidInputError(f"v must have shape (d,) = {(d,)}, got {v.shape}")
        out.append(v)
    if Y is not None:
        Y = as_float_array("Y", Y, ndim=1)
        if Y.shape != (n,) or not np.all(np.abs(Y) == 1):
            raise InvalidInputError(f"Y must be a vector of n = {n} labels in {{-1, +1}}, got {Y}")
        out.append(Y)
    return tuple(out)


def check_alpha(alpha, n: int, T: int) -> np.ndarray:
    """``alpha`` as n integer token indices in [0, T), or :class:`InvalidInputError`."""
    a = np.asarray(alpha)
    if a.shape != (n,) or not np.issubdtype(a.dtype, np.integer):
        raise InvalidInputError(f"alpha must be n = {n} integer token indices, got {alpha!r}")
    if np.any(a < 0) or np.any(a >= T):
        raise InvalidInputError(f"alpha entries must lie in [0, T) = [0, {T}), got {a.tolist()}")
    return a.astype(np.int64)


def attention_logits(X, W, Z) -> np.ndarray:
    r"""Logits $a_{it} = x_{it}^\top W z_i$, shape (n, T)."""
    X, Z = check_instance(X, Z)
    W = as_float_array("W", W, ndim=2)
    d = X.shape[2]
    if W.shape != (d, d):
        raise InvalidInputError(f"W must have shape (d, d) = {(d, d)}, got {W.shape}")
    return np.einsum("ntd,de,ne->nt", X, W, Z)


def attention_probs(X, W, Z) -> np.ndarray:
    r"""Softmax attention $s_i = \mathbb{S}(X_i W z_i)$, shape (n, T), via log-softmax (no overflow)."""
    return np.exp(log_softmax(attention_logits(X, W, Z), axis=1))


def relu_head_output(X, W, Z, V) -> np.ndarray:
    r"""Nonlinear head $f_i = \mathbf{1}^\top \mathrm{ReLU}(V^\top X_i^\top s_i)$ with $V \in \mathbb{R}^{d \times d}$."""
    X, Z = check_instance(X, Z)
    V = as_float_array("V", V, ndim=2)
    if V.shape[0] != X.shape[2]:
        raise InvalidInputError(f"V must have d = {X.shape[2]} rows, got {V.shape}")
    r = np.einsum("nt,ntd->nd", attention_probs(X, W, Z), X)  # (n, d): X_i^T s_i
    return np.maximum(r @ V, 0.0).sum(axis=1)


def token_scores(X, v, Y) -> np.ndarray:
    r"""Token scores $\gamma_{it} = Y_i\, v^\top x_{it}$, shape (n, T)."""
    X = as_float_array("X", X, ndim=3)
    n, T, d = X.shape
    _, _, v, Y = check_instance(X, np.zeros((n, d)), v, Y)
    return Y[:, None] * (X @ v)


def optimal_tokens(X, v, Y) -> tuple[np.ndarray, np.ndarray]:
    r"""$\mathrm{opt}_i = \arg\max_t \gamma_{it}$ and a mask of inputs where the maximum is unique.

    Uniqueness is decided by ``TOL.inequality``: a runner-up within rounding of the top counts as a tie.
    """
    from attnlab.theory._tolerances import TOL

    g = token_scores(X, v, Y)
    opt = np.argmax(g, axis=1)
    top = np.take_along_axis(g, opt[:, None], axis=1)[:, 0]
    rest = np.where(np.arange(g.shape[1])[None, :] == opt[:, None], -np.inf, g).max(axis=1)
    allow = np.array([TOL.inequality.allowance(t) for t in top])
    return opt, (top - rest) > allow


def selection_margins(X, Z, W, alpha) -> np.ndarray:
    r"""Margins $m_{it} = (x_{i\alpha_i} - x_{it})^\top W z_i$, shape (n, T); $+\infty$ at $t = \alpha_i$."""
    a = attention_logits(X, W, Z)
    alpha = check_alpha(alpha, *a.shape)
    m = np.take_along_axis(a, alpha[:, None], axis=1) - a
    m[np.arange(a.shape[0]), alpha] = np.inf
    return m
