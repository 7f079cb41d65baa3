r"""Heuristic ascent toward the extremal instances of the tight bounds (two-way ties of the softmax).

The tight constants of C3/C6/C7/C8/C10 are all :math:`\sup \lambda_{\max}(J_u)` with
:math:`J_u = \mathrm{diag}(p) - pp^\top`, :math:`p = \mathrm{softmax}(u)`; the supremum 1/2 is approached
at :math:`p \to (\tfrac12, \tfrac12, 0, \dots)`. :func:`ascend_two_way_tie` runs projected gradient ascent
on :math:`\lambda_{\max}(J_u)` over a ball of logits, using the exact gradient
:math:`\nabla_u (v^\top J_u v) = J_u (v\circ v - 2\langle p, v\rangle v)` for the top eigenvector v.
The ``build_*`` helpers turn logits into instances of each claim whose ratio equals
:math:`2\lambda_{\max}(J_u)` up to :math:`O(\varepsilon)`, and :func:`extend_outcome` evaluates extra
instances into a Hypothesis :class:`~attnlab.proofs_checks.search.SearchOutcome` under the same rules.
Derived for attnlab.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from attnlab.proofs_checks.record import Status
from attnlab.proofs_checks.softmax_icl.instances import DocumentPair, GDInstance, PointPair
from attnlab.theory._lazy import lazy_function
from attnlab.theory.softmax_icl.softmax_regression import softmax_jacobian

eigh = lazy_function("scipy.linalg", "eigh")
minimize = lazy_function("scipy.optimize", "minimize")

__all__ = [
    "softmax",
    "top_eig",
    "ascend_two_way_tie",
    "build_point_pair",
    "build_document_pair",
    "build_gd_instance",
    "maximize_over_logits_and_simplex",
    "extend_outcome",
]


def softmax(u: np.ndarray) -> np.ndarray:
    z = np.exp(u - np.max(u))
    return z / z.sum()


def top_eig(u: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest eigenvalue of :math:`J_u` and its unit eigenvector."""
    n = u.shape[0]
    J = softmax_jacobian(softmax(u))
    w, V = eigh(J, subset_by_index=[n - 1, n - 1], driver="evr")
    if w.size == 0:  # LAPACK's evr can return nothing for a multiple top eigenvalue
        w, V = np.linalg.eigh(J)
    return float(w[-1]), V[:, -1]


def ascend_two_way_tie(u0: np.ndarray, radius: float, steps: int = 150, lr: float = 1.0) -> np.ndarray:
    r"""Projected gradient ascent of :math:`\lambda_{\max}(J_u)` over centred u with :math:`\|u\|_2 \le` radius.

    Backtracking: a step is kept only when it increases :math:`\lambda_{\max}`; then the step grows by 2,
    otherwise it halves. The problem is badly conditioned (the tie is sharp, the gap direction flat), so
    each iteration also tries two heuristic moves toward a two-way tie, kept only when they help: set the
    two largest logits to their mean, and stretch u to the radius. Returns the best logits seen.
    """

    def project(w):
        w = w - w.mean()
        nw = np.linalg.norm(w)
        return w * (radius / nw) if nw > radius else w

    u = project(np.asarray(u0, dtype=np.float64))
    lam, v = top_eig(u)
    for _ in range(steps):
        p = softmax(u)
        g = softmax_jacobian(p) @ (v * v - 2.0 * (p @ v) * v)
        trial = project(u + lr * g / max(np.linalg.norm(g), 1e-300))
        lam_t, v_t = top_eig(trial)
        if lam_t > lam:
            u, lam, v, lr = trial, lam_t, v_t, lr * 2.0
        else:
            lr = max(lr * 0.5, 1e-12)
        i, j = np.argsort(u)[-2:]
        tied = u.copy()
        tied[i] = tied[j] = 0.5 * (u[i] + u[j])
        for cand in (project(tied), project(tied * 1e6)):
            lam_c, v_c = top_eig(cand)
            if lam_c > lam:
                u, lam, v = cand, lam_c, v_c
    return u


def _orthonormal_pair(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A unit q orthogonal to v with u ~ (u.v) v + (u.q) q (any such q when u is nearly parallel to v)."""
    a = float(u @ v)
    r = u - a * v
    r -= (r @ v) * v  # second Gram-Schmidt pass: keeps q orthogonal to v to rounding
    nr = float(np.linalg.norm(r))
    if nr <= 1e-9 * (1.0 + float(np.linalg.norm(u))):
        r = np.zeros_like(u)
        r[np.argmin(np.abs(v))] = 1.0
        for _ in range(2):
            r -= (r @ v) * v
        return r / float(np.linalg.norm(r)), a, 0.0
    return r / nr, a, nr


def build_point_pair(u: np.ndarray, d: int, R: float, eps: float) -> PointPair:
    r"""C6 instance with :math:`\|A\|_2 = R`, :math:`Ax = u` and :math:`A(y-x) = \varepsilon R v_{\max}`."""
    _, v = top_eig(u)
    q, a, r = _orthonormal_pair(u, v)
    n = u.shape[0]
    A = np.zeros((n, d))
    A[:, 0], A[:, 1] = R * v, R * q  # orthonormal columns times R: ||A||_2 = R
    x = np.zeros(d)
    x[0], x[1] = a / R, r / R
    y = x.copy()
    y[0] += eps
    return PointPair(A, x, y, R)


def build_document_pair(u: np.ndarray, d: int, R: float, eps: float) -> DocumentPair:
    r"""C7 instance: :math:`x = R e_1`, :math:`A = u e_1^\top / R` (so :math:`\|A\| = \|u\|/R`), :math:`B = A + \varepsilon v e_1^\top`."""
    _, v = top_eig(u)
    n = u.shape[0]
    A = np.zeros((n, d))
    A[:, 0] = u / R
    B = A.copy()
    B[:, 0] += eps * v
    x = np.zeros(d)
    x[0] = R
    return DocumentPair(A, B, x, R)


def build_gd_instance(u: np.ndarray, d: int, R: float, eta: float, t: float) -> GDInstance:
    r"""C10 instance at logits u with residual :math:`c = f - b = t\, v_{\max}` (centred, along the tie)."""
    pp = build_point_pair(u, d, R, 0.0)
    _, v = top_eig(u)
    b = softmax(u) - t * v
    return GDInstance(pp.A, pp.x, b, eta, R)


def maximize_over_logits_and_simplex(
    objective: Callable[[np.ndarray, np.ndarray], float],
    n: int,
    rng: np.random.Generator,
    restarts: int,
    logit_bound: float = 30.0,
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""Maximize ``objective(u, b)`` over logits :math:`u \in [-B, B]^n` and b in the simplex (L-BFGS-B restarts).

    b is parametrised as :math:`z / \sum z` with :math:`z \in [0, 1]^n`, so vertices of the simplex are reachable.
    Returns the best value and its (u, b).
    """

    def unpack(theta):
        u, z = theta[:n], np.clip(theta[n:], 0.0, 1.0)
        s = z.sum()
        return u, (z / s if s > 0 else np.full(n, 1.0 / n))

    best = (-math.inf, np.zeros(n), np.full(n, 1.0 / n))
    bounds = [(-logit_bound, logit_bound)] * n + [(0.0, 1.0)] * n
    for _ in range(restarts):
        theta0 = np.concatenate([rng.normal(0, 2, n), rng.uniform(0, 1, n)])
        res = minimize(lambda th: -objective(*unpack(th)), theta0, method="L-BFGS-B", bounds=bounds)
        u, b = unpack(res.x)
        val = objective(u, b)
        if val > best[0]:
            best = (val, u, b)
    return best


def extend_outcome(found, instances, hypotheses, evaluate) -> int:
    """Evaluate extra instances into ``found`` (a SearchOutcome) as the Hypothesis search would; returns the count.

    A violation marks the outcome failed with that instance (when it was not failed already).
    """
    k = 0
    for inst in instances:
        found.tried += 1
        k += 1
        reasons = list(hypotheses(inst))
        if reasons:
            found.reasons.update(reasons)
            continue
        comp = evaluate(inst)
        found.applicable += 1
        if found.status is Status.INCONCLUSIVE:
            found.status = Status.EMPIRICAL_HOLDS
        if found.status is Status.FAILED:
            continue
        if not comp.holds:
            found.status, found.worst, found.worst_instance = Status.FAILED, comp, inst
            found.max_tightness = max(found.max_tightness, comp.tightness)
        elif comp.tightness > found.max_tightness:
            found.max_tightness, found.worst, found.worst_instance = comp.tightness, comp, inst
    return k
