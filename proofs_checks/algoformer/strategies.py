r"""Hypothesis strategies for the algoformer claims, bounded by the mathematics.

Hypothesis draws the shape (distinct sizes, so a swapped axis fails), a conditioning exponent c, a step
fraction, T and a seed; numpy builds the arrays from the seed. Design matrices are
:math:`X = U\,\mathrm{diag}(s)\,V^\top` with singular values log-uniform in :math:`[1, 10^c]` (so
:math:`\kappa(S) \le 10^{2c}`), Gaussian, or heavy-tailed (Student t with 3 degrees of freedom); spec §7.1.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.algoformer.instances import (
    ArSequence,
    CopyInstance,
    CotPrompt,
    Metamorphic,
    Regression,
    Representation,
)
from attnlab.theory.algoformer.primitives import leaky_relu
from attnlab.theory.algoformer.representation import phi

__all__ = ["SHAPES", "design", "regressions", "overdetermined", "well_posed", "diverging", "representations",
           "ar_sequences", "cot_prompts", "copy_instances", "metamorphic"]

#: (n, d): n < d, n = d-ish and n > d, all distinct sizes
SHAPES = [(3, 5), (5, 3), (7, 5), (5, 7), (11, 3), (3, 7), (13, 5), (7, 11), (1, 3), (12, 5), (2, 1), (17, 7)]
_seeds = st.integers(0, 2**32 - 1)


def design(rng: np.random.Generator, n: int, d: int, cond_exp: float, law: str) -> np.ndarray:
    if law == "student":
        return rng.standard_t(3, size=(n, d))
    if law == "gaussian":
        return rng.normal(size=(n, d))
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    r = min(n, d)
    s = 10.0 ** rng.uniform(0, cond_exp, size=r)
    s[0], s[-1] = 1.0, 10.0**cond_exp  # the full conditioning range is present
    return U[:, :r] @ np.diag(s) @ V[:, :r].T / 10.0 ** (cond_exp / 2)


_LAWS = ("conditioned", "gaussian", "student")


@st.composite
def regressions(draw, shapes=SHAPES, frac=(0.01, 0.95), T=(0, 200), cond=(0.0, 1.5), noise: bool = True,
                laws=_LAWS, top_weight: float = 0.0):
    """``top_weight`` > 0 adds that multiple of S's top eigenvector to the true w (so w+ has a component along it)."""
    n, d = draw(st.sampled_from(shapes))
    rng = np.random.default_rng(draw(_seeds))
    law = draw(st.sampled_from(laws))
    X = design(rng, n, d, draw(st.floats(*cond)), law)
    w = rng.normal(size=d)
    if top_weight:
        w = 0.3 * w + top_weight * np.linalg.eigh(X.T @ X)[1][:, -1]
    y = X @ w + (0.3 * rng.normal(size=n) if noise and draw(st.booleans()) else 0.0)
    return Regression(X, y, rng.normal(size=d), draw(st.floats(*frac)), draw(st.integers(*T)))


def well_posed(*, overdetermined_only: bool = False, **kw):
    r"""Positive-control family: the exact-spectrum design (singular values in :math:`[1, 10^c]`, so S has
    full rank min(n, d) and :math:`\kappa \le 10^{2c}`) with the step fraction strictly inside (0, 1) of
    :math:`2/\lambda_{\max}(S)` computed from the drawn X; ``overdetermined_only``: n >= d, so S is nonsingular."""
    shapes = [s for s in SHAPES if s[0] >= s[1]] if overdetermined_only else SHAPES
    kw = {"frac": (0.05, 0.95), "cond": (0.0, 1.0), **kw}
    return regressions(shapes=shapes, laws=("conditioned",), **kw)


def diverging(**kw):
    r"""Positive-control family of the divergence claim: :math:`\eta\lambda_{\max} \in (2.4, 3.8)` (growth
    factor at least 1.4) and w with a unit component along the top eigenvector, so divergence by :math:`10^3`
    needs a few dozen loops."""
    return regressions(laws=("conditioned",), frac=(1.2, 1.9), cond=(0.0, 1.0), top_weight=1.0, noise=False, **kw)


def overdetermined(**kw):
    """n >= d (S nonsingular generically): Newton-Schulz's hypothesis."""
    return regressions(shapes=[s for s in SHAPES if s[0] >= s[1]], **kw)


@st.composite
def representations(draw, T=(0, 100)):
    d, D = draw(st.sampled_from([(3, 5), (5, 7), (2, 3), (3, 7), (4, 8)]))
    n = draw(st.sampled_from([6, 11, 13]))  # never equal to d or D
    n_layers = draw(st.integers(1, 3))
    a = draw(st.floats(0.05, 0.5))
    rng = np.random.default_rng(draw(_seeds))
    Bs = tuple([rng.normal(size=(D, d)) / np.sqrt(d)] + [rng.normal(size=(D, D)) / np.sqrt(D) for _ in range(n_layers - 1)])
    X = rng.normal(size=(n, d))
    y = phi(X, Bs, a) @ rng.normal(size=D) + 0.1 * rng.normal(size=n)
    return Representation(X, y, rng.normal(size=d), Bs, a, draw(st.floats(0.01, 0.95)), draw(st.integers(*T)))


@st.composite
def ar_sequences(draw, T=(0, 100)):
    d, D = draw(st.sampled_from([(2, 5), (3, 7), (1, 4), (3, 5)]))  # q*d != D for q <= 3
    q = draw(st.integers(1, 3))
    N = draw(st.sampled_from([7, 11, 13, 19]))
    a = draw(st.floats(0.05, 0.5))
    rng = np.random.default_rng(draw(_seeds))
    Bs = (rng.normal(size=(D, q * d)) / np.sqrt(q * d),)
    return ArSequence(rng.normal(size=(N, d)), Bs, a, q, draw(st.floats(0.01, 0.95)), draw(st.integers(*T)))


@st.composite
def cot_prompts(draw, T=(0, 100)):
    d = draw(st.sampled_from([2, 3, 5]))
    L = draw(st.integers(1, 3))
    ell = draw(st.integers(0, L - 1))
    n = draw(st.sampled_from([4, 7, 11]))  # never equal to d
    a = draw(st.floats(0.05, 0.5))
    rng = np.random.default_rng(draw(_seeds))
    Ws = [rng.normal(size=(d, d)) / np.sqrt(d) for _ in range(L)]
    s = [rng.normal(size=(n + 1, d))]
    for W in Ws:
        s.append(leaky_relu(s[-1] @ W.T, a))
    s = np.stack(s, axis=1)
    return CotPrompt(s[:n], s[n, :ell + 1], a, draw(st.floats(0.01, 0.95)), draw(st.integers(*T)))


@st.composite
def copy_instances(draw):
    N = draw(st.sampled_from([3, 7, 11, 31, 61]))
    rng = np.random.default_rng(draw(_seeds))
    return CopyInstance(rng.normal(size=N) * 10.0 ** draw(st.floats(-2, 2)), draw(st.floats(1.0, 40.0)))


@st.composite
def metamorphic(draw, regs=None):
    reg = draw(regressions(T=(0, 100)) if regs is None else regs)
    return Metamorphic(reg, draw(st.floats(0.1, 10.0)), draw(_seeds))
