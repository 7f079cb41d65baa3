r"""Positive-control families for the tf_svm structure and landscape claims: instances whose hypotheses hold by
construction, so a run that judges one of them not applicable (a broken hypothesis check or solver, e.g. a flipped
constraint sign) or violated is a failure of the claim, never a pass.

* :func:`planted_alpha` -- Att-SVM($\alpha$) is feasible by construction: a random $W^\circ$ is drawn and
  $\alpha_i = \arg\max_t x_{it}^\top W^\circ z_i$, so $c W^\circ$ meets every margin constraint for $c$ large enough.
  Works for any shape, including $n > d$ (where the queries are linearly dependent and no over-parameterisation
  lemma applies), and with only $r$ distinct queries shared by the inputs (``queries=r``), which builds
  $W^{mm}_\alpha = \sum_i u_i z_i^\top$ of rank $\le r < \min(n, d)$. The selection gap is bounded below (:data:`MIN_PLANTED_GAP` of the logit spread) so that
  $\|W^{mm}_\alpha\| \le \|W^\circ\| / \text{gap}$ stays moderate.
* :func:`mixed_labels` -- random instances whose labels contain both signs (a score computed without $Y$ differs
  from $\gamma_{it} = Y_i v^\top x_{it}$ on every such instance).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.tf_svm.strategies import Drawn
from attnlab.theory.tf_svm.examples import TfSvmInstance, random_instance

__all__ = ["MIN_PLANTED_GAP", "SHAPES_BOTH", "planted_alpha", "mixed_labels"]

#: (n, T, d), distinct sizes: two with n < d, two with n > d (rank bounded by d, queries dependent)
SHAPES_BOTH = ((2, 3, 5), (3, 5, 7), (7, 3, 5), (5, 2, 3))

#: smallest accepted selection gap $\min_{i,t\ne\alpha_i}(x_{i\alpha_i} - x_{it})^\top W^\circ z_i$, relative to the
#: largest logit difference; draws below it are re-planted with the next seed (a bounded loop, see below)
MIN_PLANTED_GAP = 0.05


def _planted(n: int, T: int, d: int, seed: int, queries: int | None = None
             ) -> tuple[TfSvmInstance, tuple[int, ...], int]:
    """The first of seeds ``seed, seed + 1, ...`` whose planted selection has a gap >= ``MIN_PLANTED_GAP``;
    ``queries = r`` makes input i use query z_{i mod r} (then rank W^mm <= r)."""
    for k in range(1000):
        inst = random_instance(n, T, d, seed + k, random_labels=True)
        if queries is not None:
            Z = inst.Z[np.arange(n) % queries]
            inst = TfSvmInstance(inst.X, Z, inst.v, inst.Y, f"{inst.name},queries={queries}")
        Wc = np.random.default_rng(seed + k + 7_919).normal(size=(d, d))
        logits = np.einsum("ntd,de,ne->nt", inst.X, Wc, inst.Z)
        alpha = np.argmax(logits, axis=1)
        top = logits[np.arange(n), alpha]
        rest = np.where(np.arange(T)[None, :] == alpha[:, None], -np.inf, logits).max(axis=1)
        if np.min(top - rest) >= MIN_PLANTED_GAP * np.ptp(logits):
            return inst, tuple(int(a) for a in alpha), seed + k
    raise RuntimeError(f"no planted selection with gap >= {MIN_PLANTED_GAP} in 1000 seeds")  # pragma: no cover


@st.composite
def planted_alpha(draw, shapes=SHAPES_BOTH, queries: int | None = None) -> Drawn:
    """A :class:`Drawn` whose Att-SVM($\\alpha$) is feasible by construction (see the module docstring); with
    ``queries = r`` only r distinct queries are used, so $\\mathrm{rank}\\,W^{mm}_\\alpha \\le r$ by construction."""
    n, T, d = draw(st.sampled_from(shapes))
    inst, alpha, seed = _planted(n, T, d, draw(st.integers(0, 10**6)), queries)
    return Drawn(inst, alpha, draw(st.sampled_from([0.5, 2.0, 3.0])), seed)


@st.composite
def mixed_labels(draw, shapes=((2, 3, 5), (3, 5, 7))) -> Drawn:
    """Random instances with $Y_0 = +1$, $Y_1 = -1$ (the rest random) and a random $\\alpha$."""
    n, T, d = draw(st.sampled_from(shapes))
    seed = draw(st.integers(0, 10**6))
    base = random_instance(n, T, d, seed, random_labels=True)
    Y = base.Y.copy()
    Y[:2] = (1.0, -1.0)
    inst = TfSvmInstance(base.X, base.Z, base.v, Y, base.name + ",mixed-labels")
    alpha = tuple(draw(st.lists(st.integers(0, T - 1), min_size=n, max_size=n)))
    return Drawn(inst, alpha, draw(st.sampled_from([0.5, 2.0, 3.0])), seed)
