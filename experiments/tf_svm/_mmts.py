r"""Shared pieces of the MMTS prompt-attention figures (``tf_svm/mmts-*``): logged (N)GD paths on $p$,
softmax probabilities along a path, cosine with an SVM direction, and fixed-column tidy rows.

Prompt model (tf_svm spec 2.6): logits $a_{it} = k_{it}^\top p$, $s_i = \mathbb{S}(a_i)$,
$f_i = v^\top X_i^\top s_i$. Paths come from :func:`attnlab.theory.tf_svm.attention_gd.run_gd_p` (float64, stable gradient).
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_p

__all__ = ["p_path", "path_probs", "cosine", "make_row"]


def p_path(keys, X, v, Y, p0, steps: int, eta: float, log_every: int, normalized: bool = True,
           loss: str = "logistic") -> tuple[np.ndarray, np.ndarray]:
    """Logged steps (L,) and iterates (L, d') of (N)GD on p from ``p0``; the final iterate is always logged."""
    res = run_gd_p(keys, X, v, Y, np.asarray(p0, dtype=np.float64),
                   GdConfig(steps=steps, eta=eta, normalized=normalized, log_every=log_every), loss=loss)
    return np.array(res.log_steps, dtype=int), np.stack(res.log_params)


def path_probs(keys, P) -> np.ndarray:
    r"""Softmax probabilities $s_{it}$ along a path: keys (n, T, d'), P (L, d') -> (L, n, T)."""
    return softmax(np.einsum("ntd,ld->lnt", np.asarray(keys), P), axis=-1)


def cosine(P, q) -> np.ndarray:
    r"""$\langle p, q\rangle/(\|p\|\|q\|)$ for each row of P (L, d'); NaN where $p = 0$ or q is missing."""
    P = np.atleast_2d(P)
    if q is None or not np.all(np.isfinite(q)):
        return np.full(P.shape[0], np.nan)
    den = np.linalg.norm(P, axis=-1) * np.linalg.norm(q)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = P @ q / den
    return np.where(den > 0, out, np.nan)


def make_row(columns: dict, **values) -> dict:
    """A row with every column of ``columns`` (name -> default), so all rows of a figure share their keys."""
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"unknown columns {sorted(unknown)}")
    row = dict(columns)
    for k, val in values.items():
        row[k] = type(columns[k])(val) if columns[k] is not None else val
    return row
