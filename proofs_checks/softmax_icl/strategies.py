r"""Hypothesis strategies for the softmax-regression claims, bounded by the mathematics.

Sampling recipe (spec §3, [derived]): shapes (n, d) with n != d so a transposed axis fails; R in
[0.05, 8]; A a direction (Hypothesis floats in [-1, 1], or Gaussian from a drawn seed) rescaled to spectral
norm :math:`R\cdot s`, :math:`s \in (0, 1]`; x uniform-ish in the R-ball (direction times :math:`R r`,
:math:`r \in (0, 1]`). Near-extremal instances come from :mod:`~attnlab.proofs_checks.softmax_icl.ascent`'s
two-way-tie constructions, mixed in with :func:`hypothesis.strategies.one_of`.
Every float is finite and at the theorem's scale (logits at most :math:`R^2 = 64`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attnlab.proofs_checks.softmax_icl import ascent
from attnlab.proofs_checks.softmax_icl.instances import (
    ClosenessInstance,
    DocumentPair,
    GDInstance,
    LogitInstance,
    PointPair,
    RegularizedInstance,
    ShiftInstance,
    SoftmaxInstance,
    spectral_norm,
)

__all__ = [
    "SHAPES",
    "TIE_SHAPES",
    "TALL_SHAPES",
    "radii",
    "documents",
    "softmax_instances",
    "point_pairs",
    "document_pairs",
    "paper_point_pairs",
    "paper_document_pairs",
    "gd_instances",
    "gd_from_zero_instances",
    "shift_instances",
    "logit_instances",
    "simplex_logit_instances",
    "positive_point_pairs",
    "positive_document_pairs",
    "positive_paper_point_pairs",
    "positive_paper_document_pairs",
    "closeness_instances",
    "paper_closeness_instances",
    "regularized_instances",
]

#: (n, d) with distinct sizes, covering the spec's ranges n in [2, 64] and d in [1, 16] (d = 1 and n = 64 included)
SHAPES = [(3, 5), (5, 7), (7, 3), (5, 3), (2, 3), (3, 2), (7, 11), (11, 5), (13, 7), (25, 7),
          (2, 1), (5, 1), (64, 3), (37, 16), (64, 13)]
#: shapes for the two-way-tie constructions, which place the logits in a 2-dimensional column space (d >= 2)
TIE_SHAPES = [s for s in SHAPES if s[1] >= 2]
#: shapes of the full-column-rank documents (n >= d) of the regularised claim
TALL_SHAPES = [s for s in SHAPES if s[0] >= s[1]]

_unit = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False, width=64)
_frac = st.floats(0.0, 1.0, exclude_min=True, allow_nan=False, width=64)


def radii(lo: float = 0.05, hi: float = 8.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def _nonzero(M: np.ndarray) -> np.ndarray:
    """Directions are rescaled, so a (near-)zero draw gets a unit first entry instead of blowing up."""
    if np.max(np.abs(M)) < 1e-3:
        M = M.copy()
        M.flat[0] = 1.0
    return M


#: element-wise Hypothesis arrays up to this many entries; larger ones (n = 64) come from a drawn Gaussian seed only,
#: since generating and shrinking ~800 floats one by one would dominate the claims' run time
_ELEMENTWISE_MAX = 128


def _direction(shape) -> st.SearchStrategy[np.ndarray]:
    gaussian = st.integers(0, 2**32 - 1).map(lambda s: np.random.default_rng(s).standard_normal(shape))
    if int(np.prod(shape)) > _ELEMENTWISE_MAX:
        return gaussian.map(_nonzero)
    return st.one_of(arrays(np.float64, shape, elements=_unit), gaussian).map(_nonzero)


def _rescale(M: np.ndarray, target: float) -> np.ndarray:
    s = spectral_norm(M)
    return M * (target / s) if s > 0 else M


@st.composite
def documents(draw, n: int, d: int, R: float) -> np.ndarray:
    r"""A with :math:`\|A\|_2 = R s`, s in (0, 1]."""
    return _rescale(draw(_direction((n, d))), R * draw(_frac))


@st.composite
def _ball(draw, d: int, R: float) -> np.ndarray:
    return _rescale(draw(_direction((d,))), R * draw(_frac))


_ALL_TARGETS = ("simplex", "vertex", "free")


@st.composite
def _target(draw, n: int, kinds=_ALL_TARGETS) -> np.ndarray:
    r"""b: a point of the simplex, a vertex, or a free vector in [-1, 2]^n."""
    kind = draw(st.sampled_from(list(kinds)))
    if kind == "vertex":
        b = np.zeros(n)
        b[draw(st.integers(0, n - 1))] = 1.0
        return b
    z = draw(arrays(np.float64, (n,), elements=st.floats(0.0, 1.0, width=64)))
    if kind == "simplex":
        return z / z.sum() if z.sum() > 0 else np.full(n, 1.0 / n)
    return 3.0 * z - 1.0


@st.composite
def softmax_instances(draw, r_lo: float = 0.05, r_hi: float = 8.0) -> SoftmaxInstance:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(r_lo, r_hi))
    return SoftmaxInstance(draw(documents(n, d, R)), draw(_ball(d, R)), draw(_target(n)), R)


@st.composite
def _tie_logits(draw, n: int, gap_hi: float) -> np.ndarray:
    r"""Logits with a near two-way tie: top two within :math:`\delta`, the rest ``gap`` below."""
    gap = draw(st.floats(0.0, gap_hi, width=64))
    delta = draw(st.floats(-1.0, 1.0, width=64)) * draw(st.sampled_from([1.0, 1e-3, 0.0]))
    u = np.full(n, -gap)
    i, j = draw(st.permutations(range(n)))[:2]
    u[i], u[j] = 0.0, delta
    return u - u.mean()


@st.composite
def _random_point_pair(draw) -> PointPair:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii())
    A = draw(documents(n, d, R))
    x = draw(_ball(d, R))
    step = draw(_ball(d, R)) * draw(st.sampled_from([1.0, 1e-2, 1e-4]))
    return PointPair(A, x, x + step, R)


@st.composite
def _tie_point_pair(draw) -> PointPair:
    n, d = draw(st.sampled_from(TIE_SHAPES))
    R = draw(radii())
    u = draw(_tie_logits(n, 40.0))
    eps = draw(st.sampled_from([1e-2, 1e-3, 1e-4]))
    return ascent.build_point_pair(u, d, R, eps)


def point_pairs() -> st.SearchStrategy[PointPair]:
    """Pairs (A, x, y) under :math:`\\|A\\| \\le R` (x, y unrestricted), random or near a two-way tie."""
    return st.one_of(_random_point_pair(), _tie_point_pair())


@st.composite
def _random_document_pair(draw) -> DocumentPair:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii())
    A = draw(documents(n, d, R))
    dA = draw(documents(n, d, R)) * draw(st.sampled_from([1.0, 1e-2, 1e-4]))
    return DocumentPair(A, A + dA, draw(_ball(d, R)), R)


@st.composite
def _tie_document_pair(draw) -> DocumentPair:
    n, d = draw(st.sampled_from(TIE_SHAPES))
    R = draw(radii())
    u = draw(_tie_logits(n, 40.0))
    u = u * min(1.0, R * R / max(np.linalg.norm(u), 1e-300))  # ||u|| <= R^2 so that ||A|| <= R
    return ascent.build_document_pair(u, d, R, draw(st.sampled_from([1e-2, 1e-3, 1e-4])))


def document_pairs() -> st.SearchStrategy[DocumentPair]:
    """Pairs (A_t, A_t+1, x) under :math:`\\|x\\| \\le R`, random or near a two-way tie."""
    return st.one_of(_random_document_pair(), _tie_document_pair())


def _linf_step(A: np.ndarray, step: np.ndarray, target: float) -> np.ndarray:
    m = float(np.max(np.abs(A @ step)))
    return step * (target / m) if m > 1e-9 else step  # m <= 1e-9 already meets the 0.01 condition


@st.composite
def paper_point_pairs(draw) -> PointPair:
    r"""C1 part 1: R in [3.5, 8] (R < 4 is not-applicable), :math:`\|A(y-x)\|_\infty` up to 0.0105."""
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(3.5, 8.0))
    A, x = draw(documents(n, d, R)), draw(_ball(d, R))
    step = _linf_step(A, draw(_direction((d,))), 0.0105 * draw(_frac))
    return PointPair(A, x, x + step, R)


@st.composite
def paper_document_pairs(draw) -> DocumentPair:
    r"""C1 part 2: as :func:`paper_point_pairs`, with :math:`\|(A_{t+1}-A_t)x\|_\infty` up to 0.0105."""
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(3.5, 8.0))
    A, x = draw(documents(n, d, R)), draw(_ball(d, R))
    dA = draw(_direction((n, d)))
    m = float(np.max(np.abs(dA @ x)))
    dA = dA * (0.0105 * draw(_frac) / m) if m > 1e-9 else dA * 1e-9
    return DocumentPair(A, A + dA, x, R)


@st.composite
def gd_instances(draw) -> GDInstance:
    """(A, x, b, eta) with :math:`\\|A\\| \\le R`, random or with residual along a two-way tie."""
    n, d = draw(st.sampled_from(TIE_SHAPES))
    R, eta = draw(radii()), draw(st.floats(1e-3, 10.0, width=64))
    if draw(st.booleans()):
        u = draw(_tie_logits(n, 40.0))
        return ascent.build_gd_instance(u, d, R, eta, draw(st.floats(0.01, 1.0, width=64)))
    inst = draw(softmax_instances())
    return GDInstance(inst.A * (R / inst.R), inst.x, inst.b, eta, R)


@st.composite
def gd_from_zero_instances(draw) -> GDInstance:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii())
    b = draw(_target(n)) * draw(st.sampled_from([1.0, 10.0]))
    return GDInstance(draw(documents(n, d, R)), np.zeros(d), b, draw(st.floats(1e-3, 10.0, width=64)), R)


@st.composite
def shift_instances(draw) -> ShiftInstance:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii())
    return ShiftInstance(draw(documents(n, d, R)), draw(_ball(d, R)), draw(_ball(d, R)))


@st.composite
def logit_instances(draw, n_values=(2, 3, 5, 7, 11), kinds=_ALL_TARGETS) -> LogitInstance:
    """Logits (random in [-64, 64] or a near two-way tie) and a target b (simplex, vertex or free)."""
    n = draw(st.sampled_from(list(n_values)))
    if draw(st.booleans()):
        u = draw(_tie_logits(n, 40.0))
    else:
        scale = draw(st.sampled_from([1.0, 8.0, 64.0]))
        u = scale * draw(arrays(np.float64, (n,), elements=_unit))
    return LogitInstance(u, draw(_target(n, kinds)))


def simplex_logit_instances(n_values=(2, 3, 4, 5, 6, 7)) -> st.SearchStrategy[LogitInstance]:
    """As :func:`logit_instances`, with b restricted to the simplex (vertices included)."""
    return logit_instances(n_values, kinds=("simplex", "vertex"))


# ---------------------------------------------------------------- positive-control families
# Instances built so that the claims' hypotheses hold by construction: ||A|| <= R, ||x|| <= R, and logit steps
# far above the float64 resolution (hypotheses.resolvable_step) and, for the literal theorem, R >= 4 and
# l_inf steps strictly below 0.01.

_firm = st.floats(0.1, 1.0, allow_nan=False, width=64)


@st.composite
def _firm_document(draw, n: int, d: int, R: float) -> np.ndarray:
    return _rescale(draw(_direction((n, d))), R * draw(_firm))


@st.composite
def _firm_ball(draw, d: int, R: float) -> np.ndarray:
    return _rescale(draw(_direction((d,))), R * draw(_firm))


@st.composite
def _point_pair_with_linf_step(draw, r_lo: float, r_hi: float, step_lo: float, step_hi: float) -> PointPair:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(r_lo, r_hi))
    A, x = draw(_firm_document(n, d, R)), draw(_firm_ball(d, R))
    step = draw(_firm_ball(d, 1.0))
    if np.max(np.abs(A @ step)) <= 1e-6 * spectral_norm(A) * np.linalg.norm(step):  # step in A's null space
        step = A[np.argmax(np.linalg.norm(A, axis=1))]  # a row of A: A @ step has entry ||a_i||^2 > 0
    step = _linf_step(A, step, draw(st.floats(step_lo, step_hi, width=64)))
    return PointPair(A, x, x + step, R)


@st.composite
def _document_pair_with_linf_step(draw, r_lo: float, r_hi: float, step_lo: float, step_hi: float) -> DocumentPair:
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(r_lo, r_hi))
    A, x = draw(_firm_document(n, d, R)), draw(_firm_ball(d, R))
    dA = draw(_direction((n, d)))
    if np.max(np.abs(dA @ x)) <= 1e-6 * spectral_norm(dA) * np.linalg.norm(x):  # x in dA's null space
        dA = np.outer(np.ones(n), x)
    dA = dA * (draw(st.floats(step_lo, step_hi, width=64)) / float(np.max(np.abs(dA @ x))))
    return DocumentPair(A, A + dA, x, R)


def positive_point_pairs() -> st.SearchStrategy[PointPair]:
    r""":math:`\|A\| \le R`, :math:`\|A(y-x)\|_\infty \in [10^{-3}, 1]` (resolvable)."""
    return _point_pair_with_linf_step(0.05, 8.0, 1e-3, 1.0)


def positive_document_pairs() -> st.SearchStrategy[DocumentPair]:
    r""":math:`\|x\| \le R`, :math:`\|(B-A)x\|_\infty \in [10^{-3}, 1]`."""
    return _document_pair_with_linf_step(0.05, 8.0, 1e-3, 1.0)


def positive_paper_point_pairs() -> st.SearchStrategy[PointPair]:
    r"""The literal theorem's part 1 by construction: R in [4, 8], :math:`\|A(y-x)\|_\infty \in [10^{-3}, 0.0099]`."""
    return _point_pair_with_linf_step(4.0, 8.0, 1e-3, 0.0099)


def positive_paper_document_pairs() -> st.SearchStrategy[DocumentPair]:
    r"""The literal theorem's part 2 by construction: R in [4, 8], :math:`\|(A_{t+1}-A_t)x\|_\infty \in [10^{-3}, 0.0099]`."""
    return _document_pair_with_linf_step(4.0, 8.0, 1e-3, 0.0099)


# ---------------------------------------------------------------- closeness: GD step vs attention update

#: scales of the attention weights, times 1/sqrt(d) (a standard initialisation at 1)
WEIGHT_SCALES = (1.0, 0.1, 0.01, 0.001)


@st.composite
def _layer(draw, d: int):
    k = draw(st.sampled_from([1, 2, 4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    s = draw(st.sampled_from(WEIGHT_SCALES)) / np.sqrt(d)
    return s * rng.standard_normal((d, k)), s * rng.standard_normal((d, k)), s * rng.standard_normal((d, d))


@st.composite
def closeness_instances(draw, r_lo: float = 0.05, r_hi: float = 8.0) -> ClosenessInstance:
    """A task (A, x, b), a step size and a softmax attention layer at one of :data:`WEIGHT_SCALES`."""
    n, d = draw(st.sampled_from(SHAPES))
    R = draw(radii(r_lo, r_hi))
    WQ, WK, WV = draw(_layer(d))
    return ClosenessInstance(draw(_firm_document(n, d, R)), draw(_firm_ball(d, R)), draw(_target(n)),
                             draw(st.floats(1e-3, 10.0, width=64)), WQ, WK, WV, R)


@st.composite
def paper_closeness_instances(draw) -> ClosenessInstance:
    r"""As :func:`closeness_instances` inside the literal theorem: R in [4, 8], the step size and the value
    weights rescaled so that :math:`\|A\Delta x\|_\infty` and :math:`\|\Delta A\, x\|_\infty` lie in
    :math:`[10^{-3}, 0.0099]` (both changes are linear in those scales)."""
    from attnlab.theory.softmax_icl import softmax_regression as sr
    from attnlab.theory.softmax_icl.attention_update import attention_scores

    inst = draw(closeness_instances(4.0, 8.0))
    g = np.max(np.abs(inst.A @ sr.grad(inst.A, inst.x, inst.b)))
    dax = np.max(np.abs(attention_scores(inst.A, inst.WQ, inst.WK) @ inst.A @ inst.WV @ inst.x))
    # a document with identical rows makes f constant in x (zero gradient); such draws are rejected, not rescaled
    assume(g > 1e-9 * inst.R * inst.R and dax > 1e-9 * inst.R * inst.R)
    eta = draw(st.floats(1e-3, 0.0099, width=64)) / g
    WV = inst.WV * (draw(st.floats(1e-3, 0.0099, width=64)) / dax)
    return ClosenessInstance(inst.A, inst.x, inst.b, eta, inst.WQ, inst.WK, WV, inst.R)


# ---------------------------------------------------------------- regularised softmax regression

_SMOOTH_BOUND = 11.0 / 4.0  # ||B(x)||_2 <= 11/4 for b in the simplex (claim smoothness-constant)


@st.composite
def regularized_instances(draw, positive: bool = False) -> RegularizedInstance:
    r"""n >= d, A Gaussian (full column rank almost surely), b in the simplex, and weights w with
    :math:`w_i^2 \in (11/4, 11/4 + 5]` (``positive``: then :math:`\min w_i^2 > \|B(x)\|_2` by construction)
    or :math:`w_i^2 \in [0, 8]` (some instances miss the hypothesis)."""
    n, d = draw(st.sampled_from(TALL_SHAPES))
    R = draw(radii())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A = _rescale(rng.standard_normal((n, d)), R * draw(_firm))
    lo, hi = (_SMOOTH_BOUND * 1.001, _SMOOTH_BOUND + 5.0) if positive else (0.0, 8.0)
    w = np.sqrt(rng.uniform(lo, hi, n))
    return RegularizedInstance(A, draw(_firm_ball(d, R)), draw(_target(n, ("simplex", "vertex"))), w)
