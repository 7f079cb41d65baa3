r"""Structure of the Att-SVM solutions: KKT rank and row space, the (K, Q) variational identity, invariances,
and the optimality inequalities between the Frobenius and nuclear solutions. All [derived]: proofs in
``proofs_checks/tf_svm/DERIVATIONS.md``.

What each claim tests of the package. The rank and row-space statements are true of *any* output of a solver that
returns $W = A^\top\lambda$, so they are checked against references that share no code with it
(:mod:`attnlab.proofs_checks.tf_svm.reference_svm`): the rank claim compares the solver's numerical rank
(:func:`~attnlab.theory.tf_svm.rank.relative_rank`) with the exact rank of the rational KKT solution, including
$n > d$ shapes; the row-space claim compares the solver's $W^{mm}_\alpha$ with an independent primal solve. The
variational identity is linear algebra that no package function computes: it is a report. Every claim has a
positive-control family (:mod:`attnlab.proofs_checks.tf_svm.built_instances`) and a planted-bug negative control.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison, Kind
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm import built_instances as B
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.proofs_checks.tf_svm.reference_svm import exact_rank, exact_wmm, primal_wmm, quantised
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_svm import SvmSolution, solve_att_svm
from attnlab.theory.tf_svm.rank import relative_rank

_LOC = "derived: proofs_checks/tf_svm/DERIVATIONS.md#"  # + the section anchor of each claim


def _feasible(d: S.Drawn) -> list[str]:
    sol = solve_att_svm(d.inst.X, d.inst.Z, d.alpha)
    return [] if sol.optimal else [f"Att-SVM(alpha) status {sol.status}"]


def _feasible_quantised(d: S.Drawn) -> list[str]:
    sol = solve_att_svm(quantised(d.inst.X), quantised(d.inst.Z), d.alpha)
    return [] if sol.optimal else [f"Att-SVM(alpha) of the quantised data: status {sol.status}"]


def _nuclear_for_frobenius(X, Z, alpha) -> SvmSolution:
    """Planted bug (wrong norm): the nuclear-norm solution returned as W^mm."""
    return solve_att_svm(X, Z, alpha, "nuc")


def _transposed(X, Z, alpha) -> SvmSolution:
    """Planted bug (W transposed in the score, x^T W^T z): the solver's W handed back transposed."""
    sol = solve_att_svm(X, Z, alpha)
    return dataclasses.replace(sol, W=None if sol.W is None else sol.W.T)


def _rank_eval(d: S.Drawn, solve=solve_att_svm) -> Comparison:
    r"""Numerical rank of the solver's $W^{mm}_\alpha$ against the exact rank, bounded by the exact
    $\mathrm{rank}\,Z \le \min(n, d)$; lhs is $\infty$ when the ranks differ, when the exact KKT solution on the
    solver's active set is not certified optimal, or when the solver's $W$ is not the exact one to ``TOL.solver``."""
    X, Z = quantised(d.inst.X), quantised(d.inst.Z)
    bound = float(exact_rank(Z))
    sol = solve(X, Z, d.alpha)
    if not sol.optimal:
        return Comparison(np.inf, bound, 0.0)
    kkt, We = exact_wmm(X, Z, d.alpha, sol.support)
    numerical = relative_rank(sol.W)
    W_exact = np.array(We.tolist(), dtype=np.float64)
    off = float(np.linalg.norm(sol.W - W_exact))  # the solver's W itself, not only its rank
    if not kkt.ok or numerical != We.rank() or off > TOL.solver.allowance(np.linalg.norm(W_exact)):
        return Comparison(np.inf, bound, 0.0)
    return Comparison(float(numerical), bound, 0.0)


@empirical_claim(
    "tf_svm/wmm-rank-at-most-min-n-d", locator=_LOC + "kkt-rank", provenance="derived",
    statement=r"$\mathrm{rank}\, W^{mm}_\alpha \le \mathrm{rank}\, Z \le \min(n, d)$, and the solver's numerical rank "
              r"($\sigma_k > 10^{-6}\sigma_1$) equals the exact rank of the rational KKT solution (and its $W$ that "
              r"solution), for $n < d$, $n > d$ and inputs sharing 2 queries (rank 2 by construction)",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(B.SHAPES_BOTH),
    check_hypotheses=_feasible_quantised, tolerance=TOL.rank,
    positive=st.one_of(B.planted_alpha(), B.planted_alpha(((4, 3, 5), (6, 3, 7)), queries=2)),
    negative=NegativeControl("wrong norm: the solver's nuclear-norm solution taken as the Frobenius W^mm",
                             evaluate=lambda d: _rank_eval(d, _nuclear_for_frobenius)),
)
def wmm_rank(d: S.Drawn) -> Comparison:
    return _rank_eval(d)


def _span_eval(d: S.Drawn, solve=solve_att_svm) -> Comparison:
    r"""$\max(\|W_{\mathrm{solver}} - W_{\mathrm{primal}}\|_F, \|W_{\mathrm{primal}}(I - P_Z)\|_F)$ against
    ``TOL.solver`` at $\|W_{\mathrm{primal}}\|_F$."""
    X, Z = d.inst.X, d.inst.Z
    sol, Wp = solve(X, Z, d.alpha), primal_wmm(X, Z, d.alpha)
    if not sol.optimal or Wp is None:
        return Comparison(np.inf, 0.0, 0.0)
    Q, _ = np.linalg.qr(Z.T)  # orthonormal basis of span{z_i}, (d, n)
    err = max(float(np.linalg.norm(sol.W - Wp)), float(np.linalg.norm(Wp - Wp @ Q @ Q.T)))
    return Comparison(err, 0.0, TOL.solver.allowance(np.linalg.norm(Wp)))


@empirical_claim(
    "tf_svm/wmm-row-space-in-query-span", locator=_LOC + "row-space", provenance="derived",
    statement=r"$W^{mm}_\alpha (I - P_{\mathrm{span}\{z_i\}}) = 0$; the solver's $W^{mm}_\alpha$ equals an independent "
              r"primal solve (cvxpy, constraints written from the definition)",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(), check_hypotheses=_feasible,
    tolerance=TOL.solver, positive=B.planted_alpha(S.SHAPES),
    negative=NegativeControl("W transposed in the score (x^T W^T z): the solver's W handed back transposed",
                             evaluate=lambda d: _span_eval(d, _transposed)),
)
def wmm_row_space(d: S.Drawn) -> Comparison:
    return _span_eval(d)


def _variational_eval(f: S.Factorization, target: str = "nuc") -> Comparison:
    U, sv, Vt = np.linalg.svd(f.W)
    r = f.m
    K = U[:, :r] * np.sqrt(sv[:r])  # balanced factors, m columns
    Q = Vt[:r].T * np.sqrt(sv[:r])
    G = np.random.default_rng(f.seed).normal(size=(r, r)) + 3 * np.eye(r)
    K2, Q2 = K @ G, Q @ np.linalg.inv(G).T  # same product K Q^T
    ref = float(sv.sum()) if target == "nuc" else float(np.linalg.norm(f.W))
    balanced = 0.5 * (np.sum(K * K) + np.sum(Q * Q))
    other = 0.5 * (np.sum(K2 * K2) + np.sum(Q2 * Q2))
    err = max(abs(balanced - ref), ref - other, float(np.linalg.norm(K2 @ Q2.T - f.W)))
    return Comparison(err, 0.0, TOL.float64_exact.allowance(max(ref, other)) * r)


def _variational_looseness(found) -> dict:
    """log10 of (error / allowance) at the worst instance: how far below rounding level the identity holds."""
    w = found.worst
    if w is None or w.allowance <= 0:
        return {}
    return {"looseness_log10": float(np.log10(max(w.lhs, np.finfo(float).tiny) / w.allowance))}


@empirical_claim(
    "tf_svm/nuclear-variational-identity", locator=_LOC + "nuclear-variational-identity", provenance="derived",
    kind=Kind.REPORT,
    statement=r"$\min\{\tfrac12(\|K\|_F^2 + \|Q\|_F^2): KQ^\top = W\} = \|W\|_*$ for $m \ge \mathrm{rank}\, W$ "
              r"(a report: linear algebra that no package function computes)",
    hypotheses=("m >= rank W",), strategy=S.factorizations(), check_hypotheses=lambda f: [],
    tolerance=TOL.float64_exact, positive=S.factorizations(), summarize=_variational_looseness,
    negative=NegativeControl("Frobenius norm in place of the nuclear norm",
                             evaluate=lambda f: _variational_eval(f, "fro")),
)
def nuclear_variational_identity(f: S.Factorization) -> Comparison:
    return _variational_eval(f)


def _transform(d: S.Drawn, kind: str, mutant: bool):
    """The transformed instance, its alpha, and the predicted W^mm from the original one."""
    X, Z, alpha = d.inst.X, d.inst.Z, np.array(d.alpha)
    rng = np.random.default_rng(d.seed)
    W = solve_att_svm(X, Z, alpha).W
    n, T, dim = X.shape
    if kind == "perm":
        perms = np.array([rng.permutation(T) for _ in range(n)])  # new position t holds old token perms[i, t]
        X2 = np.take_along_axis(X, perms[..., None], axis=1)
        alpha2 = alpha if mutant else np.argmax(perms == alpha[:, None], axis=1)
        return X2, Z, alpha2, W
    if kind == "scale":
        c = d.extra
        return X, c * Z, alpha, (W * c if mutant else W / c)
    U, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    return X @ U.T, Z @ U.T, alpha, (U @ W if mutant else U @ W @ U.T)


def _invariance_eval(d: S.Drawn, kind: str, mutant: bool = False) -> Comparison:
    X2, Z2, alpha2, pred = _transform(d, kind, mutant)
    sol = solve_att_svm(X2, Z2, alpha2)
    if not sol.optimal:
        return Comparison(np.inf, 0.0, 0.0)
    return Comparison(float(np.linalg.norm(sol.W - pred)), 0.0, TOL.solver.allowance(np.linalg.norm(pred)))


def _register_invariance(kind: str, statement: str, bug: str) -> None:
    """Register ``tf_svm/wmm-invariance-<kind>`` with named check functions (they appear in CLAIMS.md)."""

    def evaluate(d: S.Drawn) -> Comparison:
        return _invariance_eval(d, kind)

    def evaluate_with_bug(d: S.Drawn) -> Comparison:
        return _invariance_eval(d, kind, True)

    evaluate.__name__ = evaluate.__qualname__ = f"wmm_invariance_{kind}"
    evaluate_with_bug.__name__ = evaluate_with_bug.__qualname__ = f"wmm_invariance_{kind}_with_bug"
    empirical_claim(
        f"tf_svm/wmm-invariance-{kind}", locator=_LOC + f"invariance-{kind}", provenance="derived", statement=statement,
        hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(), check_hypotheses=_feasible,
        tolerance=TOL.solver, positive=B.planted_alpha(S.SHAPES),
        negative=NegativeControl(bug, evaluate=evaluate_with_bug),
    )(evaluate)


_register_invariance(
    "perm", r"permuting tokens within each input (and $\alpha$ with them) leaves $W^{mm}_\alpha$ unchanged",
    "alpha not remapped after the permutation")
_register_invariance("scale", r"$z_i \mapsto c z_i$ maps $W^{mm}_\alpha \mapsto W^{mm}_\alpha / c$",
                     "predicts c W instead of W / c")
_register_invariance(
    "rotation", r"$x, z \mapsto Ux, Uz$ ($U$ orthogonal) maps $W^{mm}_\alpha \mapsto U W^{mm}_\alpha U^\top$",
    "predicts U W (missing U^T)")


def _norms_eval(d: S.Drawn, norms: tuple[str, str] = ("fro", "nuc")) -> Comparison:
    """``norms``: the norm arguments passed for (W^mm, W^mm_star); the planted bug swaps them."""
    F = solve_att_svm(d.inst.X, d.inst.Z, d.alpha, norms[0])
    N = solve_att_svm(d.inst.X, d.inst.Z, d.alpha, norms[1])
    if not (F.optimal and N.optimal):
        return Comparison(np.inf, 0.0, 0.0)

    def nuc(W):
        return float(np.linalg.svd(W, compute_uv=False).sum())

    fro = np.linalg.norm
    gaps = (nuc(N.W) - nuc(F.W), fro(F.W) - fro(N.W))
    return Comparison(float(max(gaps)), 0.0, TOL.solver.allowance(nuc(F.W)))


@empirical_claim(
    "tf_svm/norm-optimality-inequalities", locator=_LOC + "norm-optimality", provenance="derived",
    statement=r"$\|W^{mm}_{\star}\|_* \le \|W^{mm}\|_*$ and $\|W^{mm}\|_F \le \|W^{mm}_{\star}\|_F$",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(S.SHAPES[:1]),
    check_hypotheses=_feasible, tolerance=TOL.solver, positive=B.planted_alpha(B.SHAPES_BOTH[2:]),
    negative=NegativeControl("wrong norm: the solver called with 'nuc' for W^mm and 'fro' for W^mm_star",
                             evaluate=lambda d: _norms_eval(d, ("nuc", "fro"))),
)
def norm_optimality(d: S.Drawn) -> Comparison:
    return _norms_eval(d)
