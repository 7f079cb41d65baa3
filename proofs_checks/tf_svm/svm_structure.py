r"""Structure of the Att-SVM solutions: KKT span and rank, the (K, Q) variational identity, invariances,
and the optimality inequalities between the Frobenius and nuclear solutions. All [derived]: proofs in
``proofs_checks/tf_svm/DERIVATIONS.md``; checked on solver solutions whose KKT certificate passed.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.rank import relative_rank

_LOC = "derived: proofs_checks/tf_svm/DERIVATIONS.md#"  # + the section anchor of each claim


def _feasible(d: S.Drawn) -> list[str]:
    sol = solve_att_svm(d.inst.X, d.inst.Z, d.alpha)
    return [] if sol.optimal else [f"Att-SVM(alpha) status {sol.status}"]


def _rank_eval(d: S.Drawn, slack: int = 0) -> Comparison:
    W = solve_att_svm(d.inst.X, d.inst.Z, d.alpha).W
    n, _, dim = d.inst.shape
    return Comparison(float(relative_rank(W)), float(min(n, dim) - slack), 0.0)


@empirical_claim(
    "tf_svm/wmm-rank-at-most-min-n-d", locator=_LOC + "kkt-rank", provenance="derived",
    statement=r"$\mathrm{rank}\, W^{mm}_\alpha \le \min(n, d)$ (KKT: $W^{mm} = \sum \lambda_{it}(x_{i\alpha_i} - x_{it})z_i^\top$)",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(), check_hypotheses=_feasible,
    tolerance=TOL.rank,
    negative=NegativeControl("bound off by one: rank <= min(n, d) - 1", evaluate=lambda d: _rank_eval(d, 1)),
)
def wmm_rank(d: S.Drawn) -> Comparison:
    return _rank_eval(d)


def _span_eval(d: S.Drawn, transpose: bool = False) -> Comparison:
    W = solve_att_svm(d.inst.X, d.inst.Z, d.alpha).W
    W = W.T if transpose else W
    Q, _ = np.linalg.qr(d.inst.Z.T)  # orthonormal basis of span{z_i}, (d, n)
    resid = float(np.linalg.norm(W - W @ Q @ Q.T))
    return Comparison(resid, 0.0, TOL.solver.allowance(np.linalg.norm(W)))


@empirical_claim(
    "tf_svm/wmm-row-space-in-query-span", locator=_LOC + "row-space", provenance="derived",
    statement=r"$W^{mm}_\alpha (I - P_{\mathrm{span}\{z_i\}}) = 0$",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(), check_hypotheses=_feasible,
    tolerance=TOL.solver,
    negative=NegativeControl("column space instead of row space (W^T)", evaluate=lambda d: _span_eval(d, True)),
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


@empirical_claim(
    "tf_svm/nuclear-variational-identity", locator=_LOC + "nuclear-variational-identity", provenance="derived",
    statement=r"$\min\{\tfrac12(\|K\|_F^2 + \|Q\|_F^2): KQ^\top = W\} = \|W\|_*$ for $m \ge \mathrm{rank}\, W$",
    hypotheses=("m >= rank W",), strategy=S.factorizations(), check_hypotheses=lambda f: [],
    tolerance=TOL.float64_exact,
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
        tolerance=TOL.solver,
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


def _norms_eval(d: S.Drawn, swapped: bool = False) -> Comparison:
    F = solve_att_svm(d.inst.X, d.inst.Z, d.alpha, "fro")
    N = solve_att_svm(d.inst.X, d.inst.Z, d.alpha, "nuc")
    if not (F.optimal and N.optimal):
        return Comparison(np.inf, 0.0, 0.0)

    def nuc(W):
        return float(np.linalg.svd(W, compute_uv=False).sum())

    fro = np.linalg.norm
    if swapped:
        gaps = (nuc(F.W) - nuc(N.W), fro(N.W) - fro(F.W))
    else:
        gaps = (nuc(N.W) - nuc(F.W), fro(F.W) - fro(N.W))
    return Comparison(float(max(gaps)), 0.0, TOL.solver.allowance(nuc(F.W)))


@empirical_claim(
    "tf_svm/norm-optimality-inequalities", locator=_LOC + "norm-optimality", provenance="derived",
    statement=r"$\|W^{mm}_{\star}\|_* \le \|W^{mm}\|_*$ and $\|W^{mm}\|_F \le \|W^{mm}_{\star}\|_F$",
    hypotheses=("Att-SVM(alpha) feasible",), strategy=S.instances_with_alpha(S.SHAPES[:1]),
    check_hypotheses=_feasible, tolerance=TOL.solver,
    negative=NegativeControl("inequalities swapped between the two solutions",
                             evaluate=lambda d: _norms_eval(d, True)),
)
def norm_optimality(d: S.Drawn) -> Comparison:
    return _norms_eval(d)
