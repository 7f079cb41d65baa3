r"""A certified upper bound on the smoothness constant :math:`C = \sup \|B(x)\|_2` by interval branch and bound.

:math:`\nabla^2 L = A^\top B A` with :math:`B = \mathrm{diag}(g) - \langle f-b, f\rangle\mathrm{diag}(f) - gf^\top - fg^\top
+ \langle 3f-2b, f\rangle ff^\top`, :math:`g = (2f-b)\circ f`, depends on x and A only through
:math:`f = \mathrm{softmax}(Ax)`. As x and A range over all of :math:`\mathbb{R}^d` and :math:`\mathbb{R}^{n\times d}`,
f covers the open simplex, so a bound over the *closed* simplex of f (and b in the simplex) covers every A, x of
any norm at that n. :math:`B 1 = 0` (L is invariant to :math:`u \to u + c1`), so
:math:`\|B\|_2 = 2|B_{11}|` at n = 2 and, at n = 3, the spectral radius of the 2 x 2 matrix
:math:`M = Q^\top B Q` (Q an orthonormal basis of :math:`1^\perp`):
:math:`\|B\|_2 = |\mathrm{tr} M|/2 + \sqrt{((M_{11} - M_{22})/2)^2 + M_{12}^2}`.

*Reduction to a vertex b.* B is affine in b and the spectral norm is convex, so for fixed f the maximum over b
in the simplex is attained at a vertex :math:`e_k`; permuting coordinates maps :math:`(f, e_k)` to
:math:`(Pf, e_1)` with :math:`B(Pf, Pb) = P B(f, b) P^\top`, so :math:`\sup_{f, b} \|B\|_2 = \sup_f \|B(f, e_1)\|_2`.

Bounds per box: the smaller of the naive interval evaluation and the mean-value form
:math:`F(c) + \sum_i \sup_X|\partial_i F|\,w_i/2` (derivatives by forward-mode differentiation over intervals; at a
kink of :math:`|\cdot|` the Clarke gradient :math:`[-1, 1]` is used), both rigorous; the mean-value form shrinks
quadratically near the maximum, where the gradient vanishes.

At n = 3 with b = e_1, swapping :math:`f_2 \leftrightarrow f_3` leaves :math:`\|B\|_2` unchanged (same argument), so
boxes with :math:`f_2 > f_3` throughout are dropped.

Branch and bound: the parameter box :math:`f_1, \dots, f_{n-1} \in [0, 1]` (:math:`f_n = 1 - \sum_{i<n} f_i` clipped
to [0, 1]; boxes outside the simplex dropped) is split along its widest side, largest upper bound first. Every box's bound is an ``mpmath.iv`` evaluation of the
formula above (outward rounding), so the largest upper bound among the boxes left is a rigorous bound on the
supremum. Feasible midpoints give a lower bound (the gap is reported). Derived for attnlab.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
from dataclasses import dataclass

from mpmath import iv, mpf

__all__ = ["SmoothnessCertificate", "certify_sup_middle_norm", "middle_norm_iv"]


@dataclass(frozen=True)
class SmoothnessCertificate:
    """``upper``: a rigorous bound on :math:`\\sup\\|B\\|_2` at this n; ``lower``: the best value at a feasible
    point found on the way (rounded down); ``boxes``: interval evaluations spent."""

    n: int
    upper: float
    lower: float
    boxes: int
    region: str

    def to_dict(self) -> dict:
        return {"n": self.n, "certified_upper": self.upper, "lower": self.lower, "gap": self.upper - self.lower,
                "boxes": self.boxes, "region": self.region, "arithmetic": "mpmath.iv (53-bit, outward rounding)"}


def _middle(f, b):
    """B's entries in interval arithmetic (lists of iv.mpf)."""
    n = len(f)
    g = [(2 * f[i] - b[i]) * f[i] for i in range(n)]
    s1 = _total([(f[i] - b[i]) * f[i] for i in range(n)])
    s2 = _total([(3 * f[i] - 2 * b[i]) * f[i] for i in range(n)])
    B = [[-g[i] * f[j] - f[i] * g[j] + s2 * f[i] * f[j] for j in range(n)] for i in range(n)]
    for i in range(n):
        B[i][i] = B[i][i] + g[i] - s1 * f[i]
    return B


def middle_norm_iv(f, b):
    r"""An interval containing :math:`\|B\|_2` for every (f, b) in the given boxes (n = 2 or 3)."""
    B = _middle(f, b)
    if len(f) == 2:
        return 2 * abs(B[0][0])
    r2, r6 = iv.sqrt(2), iv.sqrt(6)
    Q = [[1 / r2, 1 / r6], [-1 / r2, 1 / r6], [iv.mpf(0), -2 / r6]]
    M = [[_total([B[i][j] * Q[i][a] * Q[j][c] for i in range(3) for j in range(3)]) for c in range(2)]
         for a in range(2)]
    half = (M[0][1] + M[1][0]) / 2
    return abs(M[0][0] + M[1][1]) / 2 + _hypot((M[0][0] - M[1][1]) / 2, half)


def _mean_value_upper(box, n, bug: bool):
    r"""(upper enclosure, value at the centre when the centre is feasible). Mean-value form: for every feasible f in the box, :math:`F(f) \le F(c) + \sum_i \sup|\partial_i F(X)|\,w_i/2`
    with c the box's centre and F the norm as a function of :math:`f_1..f_{n-1}` (:math:`f_n = 1 - \sum f_i`)."""
    dims = n - 1
    X = [_Dual(box[i], [iv.mpf(1) if j == i else iv.mpf(0) for j in range(dims)]) for i in range(dims)]
    f = [*X, 1 - _total(X)]
    b = [iv.mpf(1.0 / n)] * n if bug else [iv.mpf(1)] + [iv.mpf(0)] * (n - 1)
    grad = middle_norm_iv(f, b).g
    c = [iv.mpf(v.mid) for v in box]
    at_c = middle_norm_iv([*c, 1 - sum(c, iv.mpf(0))], b)
    feasible = sum(c, iv.mpf(0)).b <= 1
    return _total([at_c, *(abs(gi) * (box[i].delta / 2) for i, gi in enumerate(grad))]), (at_c if feasible else None)


def _float_up(x) -> float:
    """A float >= the upper end of the interval ``x`` (float() rounds to nearest; one ulp up covers it)."""
    u = float(x.b)
    return u if math.isinf(u) else math.nextafter(u, math.inf)


class _Dual:
    """Forward-mode derivative over intervals: a value and its gradient, both ``iv.mpf`` enclosures."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, g

    @staticmethod
    def lift(c, dims):
        return c if isinstance(c, _Dual) else _Dual(iv.mpf(c), [iv.mpf(0)] * dims)

    def __add__(self, o):
        o = _Dual.lift(o, len(self.g))
        return _Dual(self.v + o.v, [a + b for a, b in zip(self.g, o.g, strict=True)])

    __radd__ = __add__

    def __neg__(self):
        return _Dual(-self.v, [-a for a in self.g])

    def __sub__(self, o):
        return self + (-_Dual.lift(o, len(self.g)))

    def __rsub__(self, o):
        return _Dual.lift(o, len(self.g)) - self

    def __mul__(self, o):
        o = _Dual.lift(o, len(self.g))
        return _Dual(self.v * o.v, [a * o.v + self.v * b for a, b in zip(self.g, o.g, strict=True)])

    __rmul__ = __mul__

    def __truediv__(self, c):  # by a constant only
        return _Dual(self.v / c, [a / c for a in self.g])

    def __pow__(self, k):  # k = 2 only; iv's even power keeps the value's enclosure >= 0
        return _Dual(self.v**2, [2 * self.v * a for a in self.g])

    def __abs__(self):
        if self.v.a >= 0:
            return self
        if self.v.b <= 0:
            return -self
        unit = iv.mpf([-1, 1])  # Clarke gradient of |.| at 0: the mean-value inequality still holds
        return _Dual(abs(self.v), [unit * a for a in self.g])

    def hypot(self, o):
        r"""Enclosure of :math:`\sqrt{s^2 + o^2}`; its partials are bounded by :math:`\sqrt{(\partial s)^2 + (\partial o)^2}`
        (the norm is 1-Lipschitz), which stays finite where the value reaches 0."""
        r = iv.sqrt(self.v**2 + o.v**2)
        if r.a > 0:
            return _Dual(r, [(self.v * a + o.v * b) / r for a, b in zip(self.g, o.g, strict=True)])
        unit = iv.mpf([-1, 1])
        return _Dual(r, [unit * iv.sqrt(a**2 + b**2) for a, b in zip(self.g, o.g, strict=True)])


def _total(terms):
    """Sum with the first term on the left (``iv.mpf + _Dual`` raises instead of deferring to ``_Dual``)."""
    return functools.reduce(operator.add, terms[1:], terms[0])


def _hypot(a, b):
    return a.hypot(b) if isinstance(a, _Dual) else iv.sqrt(a**2 + b**2)


def _clip01(v):
    lo, hi = max(v.a, mpf(0)), min(v.b, mpf(1))
    return iv.mpf([lo, hi]) if lo <= hi else None


def _point_sets(box, n, bug: bool = False):
    """(f, b = e_1) as interval vectors for a parameter box, or None when the box misses the simplex.

    ``bug``: planted bug for the negative control, b at the simplex's centre instead of a vertex (a wrong reduction).
    """
    last = _clip01(1 - sum(box, iv.mpf(0)))
    if last is None:
        return None
    if n == 3 and box[1].a > last.b:  # f_2 > f_3 throughout: the mirror box (f_2 <-> f_3, b = e_1 fixed) covers it
        return None
    b = [iv.mpf(1.0 / n) for _ in range(n)] if bug else [iv.mpf(1)] + [iv.mpf(0)] * (n - 1)
    return [*box, last], b


@functools.lru_cache(maxsize=16)
def certify_sup_middle_norm(n: int, max_boxes: int, gap: float = 1e-3, bug: bool = False) -> SmoothnessCertificate:
    """(Deterministic, so cached per process.) Branch and bound until the largest upper bound is within ``gap`` of the best lower bound, or
    ``max_boxes`` evaluations; returns the certified upper bound either way."""
    if n not in (2, 3):
        raise ValueError(f"the interval certificate is implemented for n = 2 and 3, got {n}")
    dims = n - 1
    root = tuple(iv.mpf([0, 1]) for _ in range(dims))
    lower, evals, heap, counter = 0.0, 0, [], 0

    def push(box):
        nonlocal lower, evals, counter
        sets = _point_sets(box, n, bug)
        if sets is None:
            return
        mv, at_centre = _mean_value_upper(box, n, bug)
        up = min(_float_up(middle_norm_iv(*sets)), _float_up(mv))
        evals += 1
        if at_centre is not None:
            lower = max(lower, math.nextafter(float(at_centre.a), -math.inf))
        counter += 1
        heapq.heappush(heap, (-up, counter, box))

    push(root)
    while heap and evals < max_boxes:
        neg_up, _, box = heap[0]
        if -neg_up <= lower + gap:
            break
        heapq.heappop(heap)
        k = max(range(dims), key=lambda i: box[i].delta)
        m = box[k].mid
        for part in (iv.mpf([box[k].a, m]), iv.mpf([m, box[k].b])):
            push(tuple(part if i == k else box[i] for i in range(dims)))
    upper = -heap[0][0] if heap else 0.0  # already rounded up (_float_up)
    region = (f"n = {n}: every A in R^(n x d) and x in R^d of any norm and any d (f = softmax(Ax) over the closed "
              "simplex) and every b in the simplex (reduced to b = e_1 by convexity and symmetry)")
    return SmoothnessCertificate(n, upper, lower, evals, region)
