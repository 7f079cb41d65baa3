r"""C6-C8: tight Lipschitz constants of :math:`f(A, x) = \mathrm{softmax}(Ax)`, searched and certified.

* C6 :math:`\|f(A,x) - f(A,y)\|_2 \le \tfrac R2 \|x - y\|_2` whenever :math:`\|A\|_2 \le R` (all x, y);
* C7 :math:`\|f(A,x) - f(B,x)\|_2 \le \tfrac R2 \|A - B\|_2` whenever :math:`\|x\|_2 \le R`;
* C8 :math:`\|f(A,x) - f(A,y)\|_1 \le \tfrac12(\max_i - \min_i)(A(x-y))_i \le \|A(x-y)\|_\infty`.

All follow from :math:`\|J_u\|_2 \le \tfrac12` along the segment; R/2 is *tight*, approached near
two-way ties :math:`f \approx (\tfrac12, \tfrac12, 0, \dots)`. The search is Hypothesis (with
``target(tightness)`` from the driver and near-tie instances mixed into the strategy) followed by
:func:`~attnlab.proofs_checks.softmax_icl.ascent.ascend_two_way_tie` restarts. The worst-k instances (the search's
worst plus every ascent instance) are then certified with interval arithmetic
(:mod:`~attnlab.proofs_checks.softmax_icl.certify`); the status is ``certified`` when all of them are, and
the record's ``details["certified_region"]`` states what that covers (those instances, each with the range of R
the sharper form implies) while ``details["empirical"]`` counts the applicable instances only compared in float64.
[derived]: proofs in ``proofs_checks/softmax_icl/DERIVATIONS.md``.
"""

from __future__ import annotations

import math

import numpy as np

from attnlab.proofs_checks.record import Comparison, Status
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.softmax_icl import ascent, certify, strategies
from attnlab.proofs_checks.softmax_icl import reference as ref
from attnlab.proofs_checks.softmax_icl.hypotheses import (
    finite,
    norm_at_most,
    resolvable_a_pair,
    resolvable_x_pair,
    spectral_norm_at_most,
)
from attnlab.proofs_checks.softmax_icl.instances import DocumentPair, PointPair, spectral_norm
from attnlab.theory._tolerances import TOL
from attnlab.theory.softmax_icl import softmax_regression as sr

__all__ = ["lipschitz_in_x_tight", "lipschitz_in_a_tight", "linf_to_l1"]

_EPS = 1e-4  # step of the ascent instances; the finite ratio is 1 - O(eps^2) below the infinitesimal one


def _x_hyp(p: PointPair) -> list[str]:
    return (finite(A=p.A, x=p.x, y=p.y, R=p.R) or spectral_norm_at_most("A", p.A, p.R)
            or resolvable_x_pair(p.A, p.x, p.y, TOL.inequality.rtol))


def _a_hyp(p: DocumentPair) -> list[str]:
    return (finite(A=p.A, B=p.B, x=p.x, R=p.R) or norm_at_most("x", p.x, p.R)
            or resolvable_a_pair(p.A, p.B, p.x, TOL.inequality.rtol))


def _hot_f(A, x):
    """Planted bug (negative controls): f with doubled logits, softmax(2Ax) (a temperature slip)."""
    return sr.f(2.0 * np.asarray(A), x)


def _f_pair(M1, x1, M2, x2, f=None) -> tuple[np.ndarray, np.ndarray, list[Comparison]]:
    """f at both points through the package (or ``f``), and both compared with scipy's softmax."""
    f = f or sr.f
    p, q = f(M1, x1), f(M2, x2)
    ids = [ref.agree(p, ref.softmax_ref(M1 @ x1), 1.0, TOL.float64_exact),
           ref.agree(q, ref.softmax_ref(M2 @ x2), 1.0, TOL.float64_exact)]
    return p, q, ids


def _x_ratio(p: PointPair, f=None) -> Comparison:
    fx, fy, ids = _f_pair(p.A, p.x, p.A, p.y, f)
    lhs = float(np.linalg.norm(fx - fy))
    rhs = 0.5 * p.R * float(np.linalg.norm(p.x - p.y))
    return ref.checked(Comparison(lhs, rhs, TOL.inequality.allowance(rhs)), *ids)


def _a_ratio(p: DocumentPair, f=None) -> Comparison:
    fa, fb, ids = _f_pair(p.A, p.x, p.B, p.x, f)
    lhs = float(np.linalg.norm(fa - fb))
    rhs = 0.5 * p.R * spectral_norm(p.A - p.B)
    return ref.checked(Comparison(lhs, rhs, TOL.inequality.allowance(rhs)), *ids)


def _l1_ratio(p: PointPair, f=None) -> Comparison:
    fx, fy, ids = _f_pair(p.A, p.x, p.A, p.y, f)
    lhs = float(np.sum(np.abs(fx - fy)))
    du = p.A @ (p.x - p.y)
    rhs = 0.5 * float(du.max() - du.min())
    return ref.checked(Comparison(lhs, rhs, TOL.inequality.allowance(rhs)), *ids)


def _make_refine(build, radius, certify_one, hyp, region: str):
    """Ascent restarts, evaluated into the outcome, then interval certification of the worst-k instances.

    The status becomes ``certified`` when every worst-k instance is; the record then says in
    ``details["certified_region"]`` exactly what is proven (those instances, and per instance the range of R
    the sharper form covers) and in ``details["empirical"]`` that every other applicable instance was only
    compared in float64.
    """

    def refine(found, evaluate, budget, mutant) -> dict:
        rng = np.random.default_rng(budget.seed)
        hyp_best = None if found.worst is None or found.worst.rhs == 0 else found.worst.lhs / found.worst.rhs
        hyp_worst = found.worst_instance
        extra, ratios = [], []
        for _ in range(max(3, budget.instances // 40)):
            n, d = strategies.TIE_SHAPES[rng.integers(len(strategies.TIE_SHAPES))]
            R = float(rng.uniform(0.05, 8.0))
            u = ascent.ascend_two_way_tie(rng.normal(0.0, 1.0, n), radius(R))
            inst = build(u, d, R)
            comp = evaluate(inst)
            ratios.append(comp.lhs / comp.rhs if comp.rhs > 0 else math.inf)  # rhs = 0: a failed identity check
            extra.append(inst)
        ascent.extend_outcome(found, extra, hyp, evaluate)
        details = {
            "best_ratio_over_tight_hypothesis": hyp_best,
            "best_ratio_over_tight_ascent": max(ratios),
            "ascent_instances": len(extra),
        }
        if mutant or found.status is not Status.EMPIRICAL_HOLDS:
            return details
        to_certify = ([hyp_worst] if hyp_worst is not None else []) + extra
        certs = [certify_one(i) for i in to_certify]
        ok = sum(c.ok for c in certs)
        details["certified_region"] = {
            "instances_certified": ok,
            "instances_attempted": len(certs),
            "which": "the Hypothesis search's worst instance and every ascent instance (worst-k), not every "
                     "applicable instance",
            "covers": f"each certified instance exactly (float64 entries read as rationals); {region}",
            "arithmetic": f"mpmath.iv at {certify.PREC_BITS} bits, endpoints rounded outward",
            "min_certified_slack": min((c.rhs_lo - c.lhs_hi for c in certs if c.ok), default=None),
        }
        details["empirical"] = {
            "instances": int(found.applicable - ok),
            "checked": "float64 comparison at TOL.inequality; not certified",
        }
        if ok == len(certs):
            found.status = Status.CERTIFIED
        return details

    return refine


@empirical_claim(
    "softmax_icl/lipschitz-x-tight",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#lipschitz-x",
    statement=r"$\|A\|_2 \le R \Rightarrow \|f(A,x) - f(A,y)\|_2 \le \tfrac R2 \|x-y\|_2$ for all $x, y$; $R/2$ is tight",
    strategy=strategies.point_pairs(),
    positive=strategies.positive_point_pairs(),
    check_hypotheses=_x_hyp,
    tolerance=TOL.inequality,
    negative=NegativeControl("planted bug: f computed as softmax(2Ax) (logits doubled)",
                             evaluate=lambda p: _x_ratio(p, f=_hot_f)),
    hypotheses=(r"$\|A\|_2 \le R$",),
    kind="certified",
    refine=_make_refine(
        lambda u, d, R: ascent.build_point_pair(u, d, R, _EPS),
        lambda R: 64.0,  # x is unrestricted in C6, so any logits are reachable
        lambda p: certify.certify_l2(p.A, p.x, p.A, p.y),
        _x_hyp,
        "the sharper form ||f(A,x) - f(A,y)||_2 <= ||A(x - y)||_2 / 2 is proven there, so C6 holds at (A, x, y) "
        "for every R >= ||A||_2",
    ),
)
def lipschitz_in_x_tight(p: PointPair) -> Comparison:
    return _x_ratio(p)


@empirical_claim(
    "softmax_icl/lipschitz-a-tight",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#lipschitz-a",
    statement=r"$\|x\|_2 \le R \Rightarrow \|f(A,x) - f(B,x)\|_2 \le \tfrac12\|(A-B)x\|_2 \le \tfrac R2 \|A-B\|_2$; $R/2$ is tight",
    strategy=strategies.document_pairs(),
    positive=strategies.positive_document_pairs(),
    check_hypotheses=_a_hyp,
    tolerance=TOL.inequality,
    negative=NegativeControl("planted bug: f computed as softmax(2Ax) (logits doubled)",
                             evaluate=lambda p: _a_ratio(p, f=_hot_f)),
    hypotheses=(r"$\|x\|_2 \le R$",),
    kind="certified",
    refine=_make_refine(
        lambda u, d, R: ascent.build_document_pair(u, d, R, _EPS),
        lambda R: R * R,  # ||A|| <= R and ||x|| <= R bound the logits by R^2
        lambda p: certify.certify_l2(p.A, p.x, p.B, p.x),
        _a_hyp,
        "the sharper form ||f(A,x) - f(B,x)||_2 <= ||(A - B)x||_2 / 2 is proven there, so C7 holds at (A, B, x) "
        "for every R >= ||x||_2",
    ),
)
def lipschitz_in_a_tight(p: DocumentPair) -> Comparison:
    return _a_ratio(p)


@empirical_claim(
    "softmax_icl/linf-l1",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#linf-l1",
    statement=(
        r"$\|f(A,x) - f(A,y)\|_1 \le \tfrac12 (\max_i - \min_i)\,(A(x-y))_i \le \|A(x-y)\|_\infty$"
    ),
    strategy=strategies.point_pairs(),
    positive=strategies.positive_point_pairs(),
    check_hypotheses=lambda p: finite(A=p.A, x=p.x, y=p.y),
    tolerance=TOL.inequality,
    negative=NegativeControl("planted bug: f computed as softmax(2Ax) (logits doubled)",
                             evaluate=lambda p: _l1_ratio(p, f=_hot_f)),
    kind="certified",
    refine=_make_refine(
        lambda u, d, R: ascent.build_point_pair(u, d, R, _EPS),
        lambda R: 64.0,
        lambda p: certify.certify_l1(p.A, p.x, p.A, p.y),
        lambda p: finite(A=p.A, x=p.x, y=p.y),
        "C8's first inequality is proven there (it has no R); the second, spread/2 <= ||A(x - y)||_inf, is "
        "elementary and not evaluated",
    ),
)
def linf_to_l1(p: PointPair) -> Comparison:
    return _l1_ratio(p)
