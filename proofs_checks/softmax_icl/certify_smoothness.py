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

Branch and bound: the parameter box :math:`f_1, \dots, f_{n-1} \in [0, 1]` (:math:`f_n = 1 - \sum_{i<n} f_i` clipped
to [0, 1]; boxes outside the simplex dropped) is split along its widest side, largest upper bound first. Every box's bound is an ``mpmath.iv`` evaluation of the
formula above (outward rounding), so the largest upper bound among the boxes left is a rigorous bound on the
supremum. Feasible midpoints give a lower bound (the gap is reported). Derived for attnlab.
"""

from __future__ import annotations

import heapq
import math
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
    s1 = sum(((f[i] - b[i]) * f[i] for i in range(n)), iv.mpf(0))
    s2 = sum(((3 * f[i] - 2 * b[i]) * f[i] for i in range(n)), iv.mpf(0))
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
    M = [[sum((Q[i][a] * B[i][j] * Q[j][c] for i in range(3) for j in range(3)), iv.mpf(0)) for c in range(2)]
         for a in range(2)]
    half = (M[0][1] + M[1][0]) / 2
    return abs(M[0][0] + M[1][1]) / 2 + iv.sqrt(((M[0][0] - M[1][1]) / 2) ** 2 + half**2)


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
    b = [iv.mpf(1.0 / n) for _ in range(n)] if bug else [iv.mpf(1)] + [iv.mpf(0)] * (n - 1)
    return [*box, last], b


def _midpoint(box, n, bug: bool = False):
    """A feasible point of the box's simplex slice (degenerate intervals), or None."""
    mids = [iv.mpf(v.mid) for v in box]
    if sum(mids, iv.mpf(0)).b > 1:
        return None
    return _point_sets(mids, n, bug)


def certify_sup_middle_norm(n: int, max_boxes: int, gap: float = 1e-3, bug: bool = False) -> SmoothnessCertificate:
    """Branch and bound until the largest upper bound is within ``gap`` of the best lower bound, or
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
        up = middle_norm_iv(*sets).b
        evals += 1
        mid = _midpoint(box, n, bug)
        if mid is not None:
            lower = max(lower, float(middle_norm_iv(*mid).a))
        counter += 1
        heapq.heappush(heap, (-float(up), counter, box))

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
    upper = -heap[0][0] if heap else 0.0
    upper = math.nextafter(upper, math.inf)  # the heap key is a float of an mpf upper end: round up once more
    region = (f"n = {n}: every A in R^(n x d) and x in R^d of any norm and any d (f = softmax(Ax) over the closed "
              "simplex) and every b in the simplex (reduced to b = e_1 by convexity and symmetry)")
    return SmoothnessCertificate(n, upper, lower, evals, region)
