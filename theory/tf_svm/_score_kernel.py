r"""numba kernel of the stable score gradient (the hot loop of every tf_svm GD run; imported lazily).

For each row $r$ (an input $i$ of an instance $b$) with keys $k_t \in \mathbb{R}^d$, query $q$, scores
$\gamma_t$: logits $a_t = k_t^\top q$, reference $\rho = \arg\max_t a_t$ (first maximum), probabilities
$s_t = e^{\max(a_t - a_\rho, -746)} / \sum_\tau e^{\max(a_\tau - a_\rho, -746)}$, $u = \sum_t s_t\gamma_t$ and

$$V = \sum_t s_t \Big(\sum_\tau s_\tau(\gamma_t - \gamma_\tau)\Big)(k_t - k_\rho),$$

so that $\nabla_{q}\mathcal{L} = \ell'(u) V / n$ (:class:`attnlab.theory.tf_svm.attention_loss.ScoreGrad` applies the
loss). The clamp at -746 is exact: float64 ``exp`` is 0 below -745.14.

Why numba here: this is the inner loop of every batched NGD run (local-convergence, overparam-convergence,
multi-token, the convergence claims). Measured at the official local-convergence size (B = 100, n = 6, T = 8,
d = 10, one thread, shared 2-core machine at load ~8): the batched-numpy form it replaced (matmuls over tiny
trailing axes, argmax, take_along_axis, T x T score differences) took 0.58 ms per call, this fused loop 0.28 ms;
a whole 2000-step NGD run on W went from 1.9 s to 1.05-1.4 s. Compiled at the first call (~3 s) and cached on
disk (``cache=True``), so later processes load it.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["score_rows"]


@numba.njit(cache=True)
def score_rows(keys, q, gamma):  # pragma: no cover - compiled
    """keys (R, T, d), q (R, d), gamma (R, T) contiguous float64 -> (V (R, d), s (R, T), u (R,))."""
    R, T, d = keys.shape
    V = np.zeros((R, d))
    s = np.empty((R, T))
    u = np.empty(R)
    lg = np.empty(T)
    for r in range(R):
        best = 0
        mx = -np.inf
        for t in range(T):
            a = 0.0
            for j in range(d):
                a += keys[r, t, j] * q[r, j]
            lg[t] = a
            if a > mx:
                mx = a
                best = t
        tot = 0.0
        for t in range(T):
            z = lg[t] - mx
            if z < -746.0:
                z = -746.0
            e = math.exp(z)
            s[r, t] = e
            tot += e
        ur = 0.0
        for t in range(T):
            s[r, t] /= tot
            ur += s[r, t] * gamma[r, t]
        u[r] = ur
        for t in range(T):
            c = 0.0
            for v in range(T):
                c += s[r, v] * (gamma[r, t] - gamma[r, v])
            w = s[r, t] * c
            for j in range(d):
                V[r, j] += w * (keys[r, t, j] - keys[r, best, j])
    return V, s, u
