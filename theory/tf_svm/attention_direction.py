r"""Where did GD go? Correlation with SVM solutions and a global / local / none verdict.

Correlation (the official metric) $\rho(W_1, W_2) = \langle W_1, W_2\rangle / (\|W_1\|_F \|W_2\|_F)$.
:func:`classify_direction` reads the selected tokens $\hat\alpha_i = \arg\max_t s_{it}$ off a final iterate,
then reports ``global`` when $\hat\alpha = \mathrm{opt}$ and $\rho(W, W^{mm}) \ge$ threshold, ``local`` when
$\hat\alpha \ne \mathrm{opt}$ is locally optimal and $\rho(W, W^{mm}_{\hat\alpha}) \ge$ threshold, else ``none``.
Reading $\hat\alpha$ off the iterate is fine for a *figure* (A4); a test of Theorem 4 must fix $\alpha$
beforehand (tf_svm spec, pitfall 6), as ``attnlab.proofs_checks.tf_svm`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.tf_svm.attention_model import attention_probs, check_instance, optimal_tokens
from attnlab.theory.tf_svm.attention_svm import locally_optimal

__all__ = ["correlation", "DirectionVerdict", "classify_direction"]


def correlation(W1, W2) -> float:
    r"""$\langle W_1, W_2\rangle / (\|W_1\|_F\|W_2\|_F)$; NaN when either is 0."""
    a = np.asarray(W1, dtype=np.float64).ravel()
    b = np.asarray(W2, dtype=np.float64).ravel()
    den = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / den if den > 0 else float("nan")


@dataclass(frozen=True)
class DirectionVerdict:
    label: str  # "global" | "local" | "none"
    alpha_hat: tuple[int, ...]
    correlation: float  # with W^mm_{alpha_hat} (nan when its SVM is not optimal)
    local_status: str  # locally_optimal(...).status for alpha_hat
    min_selected_prob: float


def classify_direction(X, Z, v, Y, W, threshold: float = 0.99, norm: str = "fro") -> DirectionVerdict:
    """Classify a final iterate ``W`` (d, d) as converging to the global, a local, or no SVM direction."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    s = attention_probs(X, W, Z)
    a_hat = np.argmax(s, axis=1)
    opt, _ = optimal_tokens(X, v, Y)
    lo = locally_optimal(X, Z, v, Y, a_hat, norm)
    rho = correlation(W, lo.svm.W) if lo.svm.optimal else float("nan")
    close = bool(np.isfinite(rho) and rho >= threshold)
    if close and np.array_equal(a_hat, opt):
        label = "global"
    elif close and lo.is_locally_optimal:
        label = "local"
    else:
        label = "none"
    return DirectionVerdict(label, tuple(int(a) for a in a_hat), rho, lo.status, float(s.max(axis=1).min()))
