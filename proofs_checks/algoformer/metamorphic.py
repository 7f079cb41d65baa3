r"""Metamorphic properties of the looped GD construction (spec §7.1 [derived]).

For the von Oswald GD loop with T loops (:func:`attnlab.theory.algoformer.gd_step.gd_loop_predictions`):

* permuting the context rows leaves :math:`\hat y_T` unchanged (attention sums over keys);
* an orthogonal :math:`R` on every x (:math:`X \to XR^\top`, :math:`x_q \to Rx_q`) leaves it unchanged
  (:math:`Q = K` enter only through inner products);
* scaling :math:`(x, y) \to (cx, cy)` with :math:`\eta \to \eta/c^2` scales it by c;
* duplicating every example (n to 2n) leaves it unchanged (the 1/n normalisation).

All four are checked at once; the reported error is the largest, relative to the prediction scale.
"""

from __future__ import annotations

import math

import numpy as np

from attnlab.proofs_checks.algoformer import strategies as S
from attnlab.proofs_checks.algoformer.instances import Metamorphic, spectrum
from attnlab.proofs_checks.algoformer.loops import agreement, quietly, stable_hypotheses
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.algoformer import gd_step
from attnlab.theory.algoformer.block import linear_attention

__all__ = ["gd_loop_metamorphic"]


def _predict(X, y, xq, eta, T, unnormalised: bool) -> float:
    n, d = X.shape
    Q, K, V = gd_step.gd_weights(d, eta * (n if unnormalised else 1))
    H = gd_step.gd_tokens(X, y, xq)
    for _ in range(T):
        H = linear_attention(H, Q, K, V, n)
    return -float(H[n, d])


def _relations(m: Metamorphic, unnormalised: bool) -> Comparison:
    r = m.reg
    rng = np.random.default_rng(m.seed)
    n, d = r.X.shape
    eta = r.eta / 2  # duplicated data has the same S, so the same threshold; halved to keep the scaled runs tame
    base = _predict(r.X, r.y, r.xq, eta, r.T, unnormalised)
    perm = rng.permutation(n)
    R, _ = np.linalg.qr(rng.normal(size=(d, d)))
    variants = [
        _predict(r.X[perm], r.y[perm], r.xq, eta, r.T, unnormalised),
        _predict(r.X @ R.T, r.y, R @ r.xq, eta, r.T, unnormalised),
        _predict(m.c * r.X, m.c * r.y, m.c * r.xq, eta / m.c**2, r.T, unnormalised) / m.c,
        _predict(np.concatenate([r.X, r.X]), np.concatenate([r.y, r.y]), r.xq, eta, r.T, unnormalised),
    ]
    scale = max(abs(base), float(np.linalg.norm(np.linalg.pinv(r.X) @ r.y) * np.linalg.norm(r.xq)))
    return agreement(variants, [base] * 4, scale, math.sqrt(spectrum(r.X)[2]))


@empirical_claim(
    "algoformer/gd-loop-metamorphic",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#metamorphic",
    statement=r"$\hat y_T$ of the looped GD construction is invariant under context permutation, orthogonal rotation $x \to Rx$, duplication $n \to 2n$, and equivariant under $(x, y, \eta) \to (cx, cy, \eta/c^2)$: $\hat y_T \to c\hat y_T$",
    strategy=S.metamorphic(),
    check_hypotheses=lambda m: stable_hypotheses(m.reg.X, m.reg.frac, m.reg.y, m.reg.xq),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("unnormalised attention (scale 1 instead of 1/n): duplication changes the step",
                             evaluate=quietly(lambda m: _relations(m, True))),
    positive=S.metamorphic(S.well_posed(T=(1, 100))),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$",),
)
def gd_loop_metamorphic(m: Metamorphic) -> Comparison:
    return _relations(m, False)


