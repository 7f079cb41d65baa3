r"""Sequence tools shared by the path and trajectory claims (no claims here).

A directional-convergence theorem is a limit, so its checks read a *ladder* of scales (a norm $R = c\,\|W^{mm}\|$
for $c \in \{10, 20, 40, 80\}$) and judge the sequence, not one point:

* :func:`upward_variation` $\sum_k \max(0, g_{k+1} - g_k)$, 0 for a non-increasing sequence (a gap that grows
  along the ladder is charged in full);
* :func:`delta_squared_limit`: Aitken's $\Delta^2$ limit of the last three terms when they decrease
  geometrically (a power law in $R$ on a doubling ladder), else the last term;
* :func:`normalised_margin_lag` $1 - \min_{it} m_{it}(W)\,\|W^{mm}\|_\diamond/\|W\|_\diamond$: 0 exactly on the
  max-margin direction, robust to a non-unique minimiser (nuclear norm).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.tf_svm.attention_gd import GdConfig
from attnlab.theory.tf_svm.attention_model import selection_margins

__all__ = ["LADDER", "NGD", "nuclear_norm", "upward_variation", "delta_squared_limit", "normalised_margin_lag"]

#: scales c of R = c ||W^mm|| read by every path claim here; margins ~ c stay far below float64's logit range
LADDER = (10.0, 20.0, 40.0, 80.0)

#: the normalised-GD run every trajectory claim uses (one run, or one chunk of a chunked run): step 0.1, 1500 steps
NGD = GdConfig(steps=1500, eta=0.1)


def nuclear_norm(W: np.ndarray) -> float:
    r"""$\|W\|_* = \sum_k \sigma_k(W)$."""
    return float(np.linalg.svd(W, compute_uv=False).sum())


def upward_variation(seq) -> float:
    """Total upward variation of a sequence; 0 when it never increases."""
    return float(np.clip(np.diff(np.asarray(seq, dtype=np.float64)), 0.0, None).sum())


def delta_squared_limit(seq) -> float:
    r"""$\Delta^2$ extrapolation $c - (c - b)^2 / ((c - b) - (b - a))$ of the last three terms $a, b, c$ when they
    decrease with ratio in (0, 1); the last term otherwise (no extrapolation)."""
    a, b, c = (float(x) for x in np.asarray(seq)[-3:])
    first, second = b - a, c - b
    if first < 0 and second < 0 and 0 < second / first < 1:
        return c - second * second / (second - first)
    return c


def normalised_margin_lag(X, Z, W, alpha, svm_objective: float, norm_of_w: float) -> float:
    r"""$1 - \min_{i, t \ne \alpha_i} (x_{i\alpha_i} - x_{it})^\top W z_i \cdot \|W^{mm}\|/\|W\|$ (norms given)."""
    m = selection_margins(X, Z, W, alpha)
    return 1.0 - float(np.min(m[np.isfinite(m)])) * svm_objective / norm_of_w
