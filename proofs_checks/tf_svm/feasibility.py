r"""Att-SVM feasibility under over-parameterisation, for *every* index vector $\alpha \in [T]^n$.

Lemma (statement unverified, proof derived: ``DERIVATIONS.md#feasibility-general-position``): $d \ge \max(T - 1, n)$ and data in general
position $\Rightarrow$ Att-SVM($\alpha$) feasible for all $\alpha$. Stronger fact [derived]: unit-norm tokens and
$d \ge n$ suffice for any $T$. Each instance is rational; every $\alpha$ is checked twice: an exact rational
witness $W$ with all margins $\ge 1$ (:mod:`attnlab.theory.tf_svm.attention_svm_exact`) and a certified Clarabel solve.
Infeasibility below the threshold is never asserted (pitfall 11).
"""

from __future__ import annotations

import itertools

import numpy as np

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.theory._lazy import lazy_module
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.attention_svm_exact import (
    exact_min_margin,
    feasibility_witness,
    rational_unit_vectors,
)

sp = lazy_module("sympy")

_LOC = "derived: proofs_checks/tf_svm/DERIVATIONS.md#"  # + the section anchor of each claim
_ABSTRACT = (" (the arXiv:2308.16898 abstract says over-parameterization ensures 'the feasibility of the SVM problem'; "
             "the lemma's number and hypotheses in the paper were not read)")
_GENERAL = ((3, 4, 3), (2, 3, 2), (2, 4, 3))  # (n, T, d) with d = max(T - 1, n)
_UNIT = ((3, 6, 3), (2, 5, 2))  # d = n < T - 1: outside the general lemma


def _general_position(X, Z) -> list[str]:
    """Exact rank conditions of the proof: Z has rank n, each input's differences have rank T - 1."""
    reasons = []
    Zm = sp.Matrix(Z.tolist())
    if Zm.rank() < Z.shape[0]:
        reasons.append("queries z_i linearly dependent")
    for i in range(X.shape[0]):
        D = sp.Matrix([list(sp.Matrix(X[i, 0]) - sp.Matrix(X[i, t])) for t in range(1, X.shape[1])])
        if D.rank() < X.shape[1] - 1:
            reasons.append(f"token differences of input {i} dependent")
    return reasons


def _distinct_unit(X, Z) -> list[str]:
    reasons = [] if sp.Matrix(Z.tolist()).rank() == Z.shape[0] else ["queries z_i linearly dependent"]
    for i in range(X.shape[0]):
        rows = [tuple(r) for r in X[i]]
        if len(set(rows)) < len(rows):
            reasons.append(f"input {i} repeats a token")
        if any(sum(c * c for c in r) != 1 for r in rows):
            reasons.append(f"input {i} has a token off the unit sphere")
    return reasons


def _check_all_alphas(X, Z, mode: str, solver_stride: int, transpose: bool = False) -> tuple[bool, dict]:
    """Exact: W = U^T (Z Z^T)^{-1} Z maps z_i to u_i (checked once), so alpha's margins in input i depend on
    u_{i, alpha_i} only and checking every pair (i, a) covers all T^n vectors alpha. Solver: every
    ``solver_stride``-th alpha in [T]^n, certificate required."""
    n, T, _ = X.shape
    Zm = sp.Matrix(Z.tolist())
    if (Zm * Zm.T).inv() * (Zm * Zm.T) != sp.eye(n):  # pragma: no cover - exact identity
        return False, {"reason": "Z Z^T not invertible"}
    worst = None
    for i in range(n):
        for a in range(T):
            alpha = tuple(a if j == i else 0 for j in range(n))
            try:
                W = _witness_one(X, Z, i, a, mode)
                m = exact_min_margin(X[i:i + 1], Z[i:i + 1], (a,), W.T if transpose else W)
            except (ValueError, ZeroDivisionError):  # singular Gram matrix: no witness
                m = None
            if m is None or m < 1:
                sol = solve_att_svm(X.astype(float), Z.astype(float), alpha)
                return False, {"alpha": alpha, "input": i, "solver_status": sol.status,
                               "exact_min_margin": None if m is None else float(m)}
            worst = m if worst is None or m < worst else worst
    n_solved = 0
    for k, alpha in enumerate(itertools.product(range(T), repeat=n)):
        if k % solver_stride == 0:
            n_solved += 1
            sol = solve_att_svm(X.astype(float), Z.astype(float), alpha)
            if not sol.optimal:
                return False, {"alpha": alpha, "solver_status": sol.status}
    return True, {"alphas": T**n, "solver_checked": n_solved, "smallest_exact_min_margin": float(worst)}


def _witness_one(X, Z, i, a, mode):
    """The witness restricted to input i: W_i = u_{ia} z_i^T / ||z_i||^2 maps z_i to u_{ia}."""
    W = feasibility_witness(X[i:i + 1], Z[i:i + 1], (a,), mode)
    return W


def _run(budget: Budget, shapes, hyp, mode: str, stride: int, transpose: bool = False) -> Outcome:
    tried = applicable = 0
    details: dict = {"instances": []}
    for k in range(min(budget.instances, 2 * len(shapes))):
        n, T, d = shapes[k % len(shapes)]
        X, Z = _rational_instance(n, T, d, budget.seed + k)
        tried += 1
        r = hyp(X, Z)
        if r:  # built to meet the hypotheses: a "not applicable" verdict is itself a failure
            return Outcome(status=Status.FAILED, instances_tried=tried, instances_applicable=applicable,
                           worst_instance={"X": X.astype(float), "Z": Z.astype(float), "shape": (n, T, d)},
                           reasons=("positive control: an instance built to meet the hypotheses was judged not "
                                    f"applicable: {'; '.join(r)}",), details=details)
        applicable += 1
        ok, info = _check_all_alphas(X, Z, mode, stride, transpose)
        info["shape"] = (n, T, d)
        details["instances"].append(info)
        if not ok:
            return Outcome(status=Status.FAILED, lhs=1.0, rhs=info.get("exact_min_margin"), instances_tried=tried,
                           instances_applicable=applicable,
                           worst_instance={"X": X.astype(float), "Z": Z.astype(float), **info}, details=details)
    details["positive_control"] = {"instances": tried, "applicable": applicable, "status": str(Status.CERTIFIED)}
    return Outcome(status=Status.CERTIFIED, instances_tried=tried, instances_applicable=applicable, details=details)


def _rational_instance(n, T, d, seed):
    r"""Exactly-unit rational tokens and queries, built to meet the hypotheses: a draw whose float64 image repeats a
    token within an input, or has (numerically) dependent queries or token differences where ``T - 1 <= d``, is
    redrawn from the next seed (the grid of rational points is finite: 29 points on the circle for d = 2). The
    exact hypothesis checks then verify the result independently."""
    for j in range(100):
        s = seed + 7_919 * j
        X = rational_unit_vectors(n * T, d, seed=s).reshape(n, T, d)
        Z = rational_unit_vectors(n, d, seed=s + 10**6)
        Xf, Zf = X.astype(float), Z.astype(float)
        distinct = all(len({tuple(r) for r in Xf[i]}) == T for i in range(n))
        diffs_ok = T - 1 > d or all(np.linalg.matrix_rank(Xf[i, 1:] - Xf[i, 0]) == T - 1 for i in range(n))
        if distinct and diffs_ok and np.linalg.matrix_rank(Zf) == n:
            return X, Z
    raise RuntimeError(f"no instance meeting the hypotheses in 100 draws for {(n, T, d)}")  # pragma: no cover


@claim(
    "tf_svm/feasibility-overparameterized", locator=_LOC + "feasibility-general-position" + _ABSTRACT, kind="certified", provenance="derived",
    statement=r"$d \ge \max(T-1, n)$, general position $\Rightarrow$ Att-SVM($\alpha$) feasible for every $\alpha \in [T]^n$",
    hypotheses=("d >= max(T-1, n)", "z_i linearly independent", "x_ia - x_it (t != a) linearly independent"),
    negative="planted bug: the feasibility witness W transposed (scores x^T W^T z)",
)
def feasibility_overparameterized(budget: Budget, mutant: bool) -> Outcome:
    return _run(budget, _GENERAL, _general_position, "general", 4, transpose=mutant)


@claim(
    "tf_svm/feasibility-unit-norm-d-ge-n", locator=_LOC + "feasibility-unit-norm", kind="certified", provenance="derived",
    statement=r"unit-norm distinct tokens, $d \ge n$, $z_i$ independent $\Rightarrow$ Att-SVM($\alpha$) feasible for every $\alpha$, any $T$",
    hypotheses=("||x_it|| = 1, tokens distinct within an input", "z_i linearly independent", "d >= n"),
    negative="planted bug: the feasibility witness W transposed (scores x^T W^T z)",
)
def feasibility_unit_norm(budget: Budget, mutant: bool) -> Outcome:
    return _run(budget, _UNIT, _distinct_unit, "unit", 8, transpose=mutant)
