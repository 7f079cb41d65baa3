r"""Hard-margin problems $\min \|w\| \ \mathrm{s.t.}\ A w \ge b$, compiled once per shape, with a KKT certificate.

Frobenius/Euclidean: $\min \tfrac12\|w\|_2^2$ s.t. $Aw \ge b$. KKT: $w = A^\top\lambda$, $\lambda \ge 0$,
$\lambda_k (a_k^\top w - b_k) = 0$; dual objective $b^\top\lambda - \tfrac12\|A^\top\lambda\|^2$.

Nuclear ($w = \mathrm{vec}_C(W)$, $W \in \mathbb{R}^{p\times q}$): $\min \|W\|_*$ s.t. $Aw \ge b$. KKT:
$G = \mathrm{mat}(A^\top\lambda) \in \partial\|W\|_*$, i.e. $\|G\|_2 \le 1$ and $\langle G, W\rangle = \|W\|_*$;
dual objective $b^\top\lambda$.

The cvxpy problem takes $A$ and $b$ as :class:`cvxpy.Parameter`, so a new instance of the same shape only
updates parameter values and reuses the compiled problem (the speed goal of the issue). Only cvxpy status
``optimal`` is accepted; the certificate is then computed here from the primal and dual values, and a
solution whose certificate fails is reported with status ``uncertified``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from theory._tolerances import TOL, Tolerance

__all__ = ["Certificate", "RawSolve", "solve_margin_problem", "SOLVER", "SOLVER_OPTIONS"]

SOLVER = "CLARABEL"
#: Clarabel's own stopping tolerances, recorded in every solution (tightened from 1e-8 so that
#: support-token detection at TOL.margin is unambiguous).
SOLVER_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}

_STATUS = {
    cp.OPTIMAL: "optimal",
    cp.INFEASIBLE: "infeasible",
    cp.UNBOUNDED: "unbounded",
    cp.OPTIMAL_INACCURATE: "inaccurate",
    cp.INFEASIBLE_INACCURATE: "inaccurate",
    cp.UNBOUNDED_INACCURATE: "inaccurate",
}


@dataclass(frozen=True)
class Certificate:
    """KKT residuals of a returned solution, each with the scale its tolerance is relative to."""

    primal_infeasibility: float  # max(0, max_k b_k - a_k^T w)
    dual_infeasibility: float  # max(0, -min_k lambda_k)
    complementarity: float  # max_k |lambda_k (a_k^T w - b_k)|
    stationarity: float  # fro: ||w - A^T lambda||; nuc: |<G,W> - ||W||_*| + max(0, ||G||_2 - 1)
    duality_gap: float  # |primal objective - dual objective|
    scale: float  # max(1, ||w||, max lambda, objective)
    tolerance: Tolerance

    @property
    def ok(self) -> bool:
        allow = self.tolerance.allowance(self.scale)
        res = (self.primal_infeasibility, self.dual_infeasibility, self.complementarity,
               self.stationarity, self.duality_gap)
        return bool(all(np.isfinite(r) and r <= allow for r in res))

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("primal_infeasibility", "dual_infeasibility", "complementarity",
                                              "stationarity", "duality_gap", "scale")} | {
            "tolerance": self.tolerance.to_dict(), "ok": self.ok}


@dataclass(frozen=True)
class RawSolve:
    status: str
    w: np.ndarray | None
    lam: np.ndarray | None
    objective: float | None
    certificate: Certificate | None
    solve_time_s: float
    cvxpy_status: str


@functools.lru_cache(maxsize=64)
def _compiled(m: int, shape: tuple[int, ...], norm: str):
    """One parameterised cvxpy problem per (rows, variable shape, norm)."""
    D = int(np.prod(shape))
    A = cp.Parameter((m, D), name="A")
    b = cp.Parameter(m, name="b")
    if norm == "fro":
        w = cp.Variable(D, name="w")
        cons = [A @ w >= b]
        prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), cons)
    elif norm == "nuc":
        Wv = cp.Variable(shape, name="W")
        w = cp.vec(Wv, order="C")
        cons = [A @ w >= b]
        prob = cp.Problem(cp.Minimize(cp.normNuc(Wv)), cons)
    else:  # pragma: no cover - validated by callers
        raise ValueError(norm)
    return prob, A, b, Wv if norm == "nuc" else w, cons[0]


def _certificate(A, b, w, lam, norm, shape) -> tuple[Certificate, float]:
    r = A @ w - b
    if norm == "fro":
        obj = 0.5 * float(w @ w)
        g = A.T @ lam
        stat = float(np.linalg.norm(w - g))
        dual_obj = float(b @ lam) - 0.5 * float(g @ g)
    else:
        W = w.reshape(shape)
        G = (A.T @ lam).reshape(shape)
        obj = float(np.linalg.svd(W, compute_uv=False).sum())
        stat = abs(float(np.sum(G * W)) - obj) + max(0.0, float(np.linalg.norm(G, 2)) - 1.0)
        dual_obj = float(b @ lam)
    cert = Certificate(
        primal_infeasibility=max(0.0, float(np.max(-r))),
        dual_infeasibility=max(0.0, float(-np.min(lam))),
        complementarity=float(np.max(np.abs(lam * r))),
        stationarity=stat,
        duality_gap=abs(obj - dual_obj),
        scale=max(1.0, float(np.linalg.norm(w)), float(np.max(np.abs(lam))), abs(obj)),
        tolerance=TOL.solver,
    )
    return cert, obj


def solve_margin_problem(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str,
                         cache: bool = True) -> RawSolve:
    """Solve the hard-margin problem for rows ``A`` (m x prod(shape)) and right-hand side ``b``."""
    m = A.shape[0]
    if cache:
        prob, Ap, bp, var, con = _compiled(m, tuple(shape), norm)
    else:
        prob, Ap, bp, var, con = _compiled.__wrapped__(m, tuple(shape), norm)
    Ap.value, bp.value = A, b
    t0 = time.perf_counter()
    try:
        prob.solve(solver=SOLVER, **SOLVER_OPTIONS)
        cv_status = prob.status
    except cp.error.SolverError:
        cv_status = "solver_error"
    wall = time.perf_counter() - t0
    status = _STATUS.get(cv_status, cv_status)
    if status != "optimal" or var.value is None or con.dual_value is None:
        return RawSolve(status if status != "optimal" else "solver_error", None, None, None, None, wall,
                        cv_status)
    w = np.asarray(var.value, dtype=np.float64).reshape(-1)
    lam = np.asarray(con.dual_value, dtype=np.float64).reshape(-1)
    cert, obj = _certificate(A, b, w, lam, norm, shape)
    if norm == "fro":
        obj = float(np.sqrt(2.0 * obj))  # report ||w||, not 1/2 ||w||^2
    return RawSolve("optimal" if cert.ok else "uncertified", w, lam, obj, cert, wall, cv_status)
