r"""Hard-margin problems $\min \|w\| \ \mathrm{s.t.}\ A w \ge b$, compiled once per shape, with a KKT certificate.

Frobenius/Euclidean: $\min \tfrac12\|w\|_2^2$ s.t. $Aw \ge b$. KKT: $w = A^\top\lambda$, $\lambda \ge 0$,
$\lambda_k (a_k^\top w - b_k) = 0$; dual objective $b^\top\lambda - \tfrac12\|A^\top\lambda\|^2$.

Nuclear ($w = \mathrm{vec}_C(W)$, $W \in \mathbb{R}^{p\times q}$): $\min \|W\|_*$ s.t. $Aw \ge b$. KKT:
$G = \mathrm{mat}(A^\top\lambda) \in \partial\|W\|_*$, i.e. $\|G\|_2 \le 1$ and $\langle G, W\rangle = \|W\|_*$;
dual objective $b^\top\lambda$.

Two routes to the same certified answer (``method``):

* ``"direct"`` (default): Clarabel called on matrices assembled here from $A$, $b$ (no modelling layer), on
  the *dual* problems, whose unknowns are the $m$ multipliers $\lambda$:

  - Frobenius: $\min_{\lambda\ge0} \tfrac12\|A^\top\lambda\|^2 - b^\top\lambda$; then $w = A^\top\lambda$.
  - nuclear: $\max_{\lambda\ge0} b^\top\lambda$ s.t. $\|G(\lambda)\|_2\le1$, written as the LMI
    $\begin{pmatrix} I & G \\ G^\top & I\end{pmatrix}\succeq 0$ with $G(\lambda) = \sum_k\lambda_k U^\top A_k V$.
    $U$ ($p\times p'$) and $V$ ($q\times q'$) are orthonormal bases of the column and row spaces spanned by the
    constraint matrices $A_k$. Every minimiser satisfies $W = UU^\top W VV^\top$ (projecting strictly lowers
    $\|W\|_*$ otherwise, since $\mathrm{tr}\sqrt{\cdot}$ is strictly monotone), so nothing is lost, and the LMI has
    size $p'+q'$ instead of $p+q$ (for Att-SVM $q' = \mathrm{rank}(Z) \le n$). $W = -2\,U Z_{12} V^\top$ from the
    LMI's dual matrix $Z \succeq 0$.

  Profiling (issue "speed goals") showed the Clarabel iterations themselves, not cvxpy's canonicalisation, to
  dominate a nuclear solve: cvxpy's primal SDP has $\binom{2d+1}{2}$ unknowns coupled to a dense cone block; the
  dual in the reduced space has $m$ unknowns and a smaller cone.
  An infeasible margin problem makes the dual unbounded; Clarabel's ray $\lambda$ is accepted as a Farkas
  certificate ($\lambda\ge0$, $A^\top\lambda\approx0$, $b^\top\lambda=1$) before the status ``infeasible`` is reported.
  Clarabel is tried with each entry of ``_DIRECT_ATTEMPTS`` in turn (first without iterative refinement, then
  with it; same stopping tolerances) before the cvxpy fallback.
* ``"cvxpy"``: the primal problem as a cvxpy problem that takes $A$ and $b$ as :class:`cvxpy.Parameter` (compiled
  once per shape when ``cache``), solved by Clarabel through cvxpy. Kept as the independent reference the tests
  compare with.

Either way only solver status optimal is accepted; the certificate is then computed here from the primal and
dual values against the *original* $A$, $b$, and a solution whose certificate fails is reported with status
``uncertified``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import clarabel
import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from attnlab.theory._tolerances import TOL, Tolerance

__all__ = ["Certificate", "RawSolve", "solve_margin_problem", "SOLVER", "SOLVER_OPTIONS"]

SOLVER = "CLARABEL"
#: Clarabel's own stopping tolerances, recorded in every solution (tightened from 1e-8 so that
#: support-token detection at TOL.margin is unambiguous).
SOLVER_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}

#: relative singular-value threshold below which a direction is not in the span of the constraint matrices
#: (the nuclear reduction); a dropped direction perturbs rows by <= this, and the certificate on the original
#: rows would catch any effect on the answer.
_SPAN_RTOL = 1e-13

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


def _solve_cvxpy(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str, cache: bool) -> RawSolve:
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


#: Clarabel settings tried in turn by the direct route before the cvxpy fallback. Neither changes a stopping
#: tolerance or the acceptance rule (status Solved and the certificate on the original rows): iterative
#: refinement of each KKT solve only buys accuracy per step, and without it a nuclear SDP is ~20% cheaper
#: (issue "svm-rank in a minute": 2.45 s -> 1.14 s for the nuclear solves of the bench grid, fallbacks 1 -> 0).
#: The few solves it leaves AlmostSolved (~1%) are retried with refinement, which is still far cheaper than the
#: cvxpy primal (0.3-0.7 s, plus a compile per shape).
_DIRECT_ATTEMPTS = ({"iterative_refinement_enable": False}, {})


def _clarabel_settings(**overrides) -> clarabel.DefaultSettings:
    s = clarabel.DefaultSettings()
    s.verbose = False
    for k, v in SOLVER_OPTIONS.items():
        setattr(s, k, v)
    # one thread: the problems are small, and faer's threading only contends on a shared 2-core machine
    s.max_threads = 1
    for k, v in overrides.items():
        setattr(s, k, v)
    return s


@functools.lru_cache(maxsize=64)
def _svec_index(N: int) -> tuple[np.ndarray, np.ndarray]:
    """Clarabel's PSDTriangle order (upper triangle, column-major): row/col of each svec entry."""
    rows, cols = np.triu_indices(N)  # row-major upper triangle ...
    order = np.lexsort((rows, cols))  # ... re-sorted by column, then row
    return rows[order], cols[order]


def _span_basis(M: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the range of ``M`` (relative threshold ``_SPAN_RTOL``)."""
    U, s, _ = np.linalg.svd(M, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return U[:, :0]
    return U[:, s > _SPAN_RTOL * s[0]]


def _clarabel_status(sol) -> str:
    st = str(sol.status).split(".")[-1]
    return {"Solved": cp.OPTIMAL, "DualInfeasible": cp.INFEASIBLE, "PrimalInfeasible": cp.UNBOUNDED,
            "AlmostSolved": cp.OPTIMAL_INACCURATE, "AlmostDualInfeasible": cp.INFEASIBLE_INACCURATE,
            "AlmostPrimalInfeasible": cp.UNBOUNDED_INACCURATE}.get(st, "solver_error")


def _farkas_ok(A: np.ndarray, b: np.ndarray, ray: np.ndarray, norm: str, shape) -> bool:
    r"""$\lambda \ge 0$, $b^\top\lambda > 0$ and $A^\top\lambda = 0$ (to ``TOL.solver`` after scaling
    $b^\top\lambda = 1$) prove $Aw \ge b$ infeasible: $0 = w^\top A^\top\lambda \ge b^\top\lambda > 0$."""
    bl = float(b @ ray)
    if not np.all(np.isfinite(ray)) or bl <= 0:
        return False
    lam = ray / bl
    g = A.T @ lam
    resid = float(np.linalg.norm(g.reshape(shape), 2) if norm == "nuc" else np.linalg.norm(g))
    allow = TOL.solver.allowance(1.0)
    return max(resid, max(0.0, float(-np.min(lam)))) <= allow


def _solve_direct(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str, overrides=None):
    """Clarabel on the dual (see module docstring). Returns (cvxpy-style status, w, lam, wall seconds)."""
    m = A.shape[0]
    settings = _clarabel_settings(**(overrides or {}))
    t0 = time.perf_counter()
    if norm == "fro":
        P = sp.csc_matrix(np.triu(A @ A.T))
        cones = [clarabel.NonnegativeConeT(m)]
        Ac = sp.csc_matrix(-np.eye(m))
        solver = clarabel.DefaultSolver(P, -b, Ac, np.zeros(m), cones, settings)
    else:
        p, q = shape
        Ak = A.reshape(m, p, q)
        U = _span_basis(Ak.transpose(1, 0, 2).reshape(p, m * q))  # column space of all A_k
        V = _span_basis(Ak.transpose(2, 0, 1).reshape(q, m * p))  # row space of all A_k
        pr, qr = U.shape[1], V.shape[1]
        if pr == 0 or qr == 0:  # all A_k = 0: only the Farkas ray (or w = 0 when b <= 0) can answer
            U, V, pr, qr = np.eye(p)[:, :1], np.eye(q)[:, :1], 1, 1
        G = np.einsum("ia,kij,jb->kab", U, Ak, V)  # (m, p', q') reduced constraint matrices
        N = pr + qr
        ri, ci = _svec_index(N)
        off = (ri < pr) & (ci >= pr)  # entries of the upper-right block G
        diag = ri == ci
        nsv = ri.size
        Apsd = np.zeros((nsv, m))
        Apsd[off] = -np.sqrt(2.0) * G[:, ri[off], ci[off] - pr].T
        bpsd = diag.astype(np.float64)
        Ac = sp.csc_matrix(np.vstack([-np.eye(m), Apsd]))
        bc = np.concatenate([np.zeros(m), bpsd])
        cones = [clarabel.NonnegativeConeT(m), clarabel.PSDTriangleConeT(N)]
        solver = clarabel.DefaultSolver(sp.csc_matrix((m, m)), -b, Ac, bc, cones, settings)
    sol = solver.solve()
    wall = time.perf_counter() - t0
    status = _clarabel_status(sol)
    lam = np.asarray(sol.x, dtype=np.float64)
    if status != cp.OPTIMAL:
        if status == cp.INFEASIBLE and not _farkas_ok(A, b, lam, norm, shape):
            status = cp.INFEASIBLE_INACCURATE
        return status, None, None, wall
    if norm == "fro":
        w = A.T @ lam
    else:
        z = np.asarray(sol.z, dtype=np.float64)[m:]
        Z12 = np.zeros((pr, qr))
        Z12[ri[off], ci[off] - pr] = z[off] / np.sqrt(2.0)
        w = (-2.0 * U @ Z12 @ V.T).reshape(-1)
    return status, w, lam, wall


def solve_margin_problem(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str,
                         cache: bool = True, method: str = "direct") -> RawSolve:
    """Solve the hard-margin problem for rows ``A`` (m x prod(shape)) and right-hand side ``b``.

    ``method="direct"`` (Clarabel on the dual, no modelling layer) or ``"cvxpy"`` (the parameterised primal,
    compiled once per shape when ``cache``). Both return only certificate-checked optimal solutions.
    """
    if method == "cvxpy":
        return _solve_cvxpy(A, b, shape, norm, cache)
    if method != "direct":  # pragma: no cover - validated by callers
        raise ValueError(method)
    A = np.ascontiguousarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    wall = 0.0
    for overrides in _DIRECT_ATTEMPTS:
        try:
            cv_status, w, lam, dt = _solve_direct(A, b, tuple(shape), norm, overrides)
        except (ValueError, RuntimeError, np.linalg.LinAlgError):
            cv_status, w, lam, dt = "solver_error", None, None, 0.0
        wall += dt
        status = _STATUS.get(cv_status, cv_status)
        if status == "optimal" and w is not None:
            cert, obj = _certificate(A, b, w, lam, norm, shape)
            if norm == "fro":
                obj = float(np.sqrt(2.0 * obj))  # report ||w||, not 1/2 ||w||^2
            if cert.ok:
                return RawSolve("optimal", w, lam, obj, cert, wall, cv_status)
        elif status == "infeasible":  # Farkas ray checked in _solve_direct
            return RawSolve(status, None, None, None, None, wall, cv_status)
    # Clarabel stopped short of 1e-10 on the dual ("AlmostSolved", a few % of large nuclear SDPs) or the
    # certificate failed: solve the primal through cvxpy instead, with the same acceptance rule.
    ref = _solve_cvxpy(A, b, shape, norm, cache)
    return RawSolve(ref.status, ref.w, ref.lam, ref.objective, ref.certificate, wall + ref.solve_time_s,
                    ref.cvxpy_status)
