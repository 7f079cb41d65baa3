r""""Stable": L2-normalised queries and keys bound the variance of positive random features (spec C9).

For the m-feature positive-random-feature estimate of $e^{q^\top k}$ (:mod:`attnlab.theory.urpe.feature_variance`)
the relative variance is $(e^{\|q+k\|^2} - 1)/m$: unbounded in $\|q\|, \|k\|$ (vanilla Performer), and at most
$(e^4 - 1)/m$ once q and k are L2-normalised, with equality at $k = q$. The check draws raw q, k of norms up to 3,
normalises them, and measures mean and variance by quadrature *through* our feature map: the mean must be
$e^{\hat q^\top \hat k}$ and the variance the closed form (``TOL.quadrature``), else the instance counts as a
violation; then the variance is compared with the bound. Negative control: the normalisation dropped (vanilla
Performer), which the bound must catch. Derivation: ``proofs_checks/urpe/DERIVATIONS.md#normalised-features``.
The paper's own statement, normalisation and experiments are unverified (only the abstract of
arXiv:2106.12566v2 was read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.urpe.feature_variance import (
    NORMALISED_RELATIVE_VARIANCE_BOUND,
    l2_normalise,
    prf_moments,
    prf_relative_variance,
)

__all__ = ["FeatureInstance", "feature_instances", "normalised_feature_variance"]


_MIN_NORM = 1e-100  # below it the rescaled draw underflows and the normalisation divides by ~0


@dataclass(frozen=True)
class FeatureInstance:
    """Raw query and key in $R^d$ with norms ``q_norm``, ``k_norm``; ``aligned``: k along q (the tight case)."""

    d: int
    m: int
    q_norm: float
    k_norm: float
    aligned: bool
    seed: int

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        q, k = rng.standard_normal(self.d), rng.standard_normal(self.d)
        if self.aligned:
            k = q.copy()
        return self.q_norm * q / np.linalg.norm(q), self.k_norm * k / np.linalg.norm(k)


_norms = st.floats(0.0, 3.0, allow_nan=False)  # 0 (and tiny norms) included: not applicable


@st.composite
def feature_instances(draw, norms=_norms, aligned=None) -> FeatureInstance:
    return FeatureInstance(
        d=draw(st.sampled_from((3, 5, 7))),
        m=draw(st.integers(1, 64)),
        q_norm=draw(norms),
        k_norm=draw(norms),
        aligned=draw(st.booleans()) if aligned is None else aligned,
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _hypotheses(inst: FeatureInstance) -> list[str]:
    if min(inst.q_norm, inst.k_norm) < _MIN_NORM:
        return [f"q and k nonzero (L2 normalisation undefined for a zero vector; norms below {_MIN_NORM:g} refused)"]
    return []


def _variance(inst: FeatureInstance, normalise: bool = True) -> Comparison:
    q, k = inst.arrays()
    if normalise:
        q, k = l2_normalise(q), l2_normalise(k)
    mean, rel_var = prf_moments(q, k, inst.m)
    exact = is_close(mean, np.exp(q @ k), TOL.quadrature) and is_close(
        rel_var, prf_relative_variance(q, k, inst.m), TOL.quadrature)
    bound = NORMALISED_RELATIVE_VARIANCE_BOUND / inst.m
    return Comparison(rel_var if exact else np.inf, bound, TOL.inequality.allowance(bound))


@empirical_claim(
    "urpe/normalised-features-bounded-variance",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#normalised-features (the mechanism behind 'Stable' in the "
    "title of arXiv:2106.12566v2; the paper's stability statement, its q/k normalisation and experiments unverified, "
    "not read)",
    statement=r"positive random features, m of them: $\mathbb{E}\,\phi(\hat q)^\top\phi(\hat k) = e^{\hat q^\top\hat k}$ "
    r"and $\mathrm{Var}/\mathbb{E}^2 = (e^{\|\hat q+\hat k\|^2}-1)/m \le (e^4-1)/m$ for L2-normalised "
    r"$\hat q, \hat k$ (unnormalised: $(e^{\|q+k\|^2}-1)/m$, unbounded)",
    strategy=feature_instances(),
    check_hypotheses=_hypotheses,
    tolerance=TOL.inequality,
    negative=NegativeControl("q/k normalisation dropped (vanilla Performer features on the raw q, k)",
                             evaluate=lambda inst: _variance(inst, normalise=False)),
    hypotheses=("positive random features, rows of W i.i.d. N(0, I)", "q, k L2-normalised (nonzero)"),
    provenance="derived",
    positive=feature_instances(norms=st.floats(0.05, 3.0, allow_nan=False), aligned=True),
)
def normalised_feature_variance(inst: FeatureInstance) -> Comparison:
    return _variance(inst)
