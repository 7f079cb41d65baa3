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

Either way the solver sees the *normalised* problem of :mod:`attnlab.theory.tf_svm._margin_scale` (unit rows,
largest right-hand side 1; exact zero rows decided without a tolerance), the answer is scaled back, and only
solver status optimal is accepted; the certificate is then computed from the primal and dual values against the
*original* $A$, $b$ with every residual relative to the data's scale (``TOL.svm_kkt``), and a solution whose
certificate fails is reported with status ``uncertified``. An infeasible report needs a Farkas ray whose rows
cancel to rounding level (``TOL.farkas``); a ray that only bounds $\|W\|$ from below gives ``ill-conditioned``.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import numpy as np

from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm._margin_scale import (
    Certificate,
    FarkasRay,
    certificate,
    exact_zero_row_ray,
    farkas_ray,
    scale_rows,
)

# imported on first solve: discovery imports this module for every tf_svm claim, and `attnlab list` need not pay
clarabel = lazy_module("clarabel")
cp = lazy_module("cvxpy")
sp = lazy_module("scipy.sparse")

__all__ = ["Certificate", "FarkasRay", "RawSolve", "solve_margin_problem", "SOLVER", "SOLVER_OPTIONS"]

_METHODS = ("direct", "cvxpy")  # the two routes of solve_margin_problem
SOLVER = "CLARABEL"
#: Clarabel's own stopping tolerances, recorded in every solution (tightened from 1e-8 so that
#: support-token detection at TOL.margin is unambiguous).
SOLVER_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}

#: relative singular-value threshold below which a direction is not in the span of the constraint matrices
#: (the nuclear reduction); a dropped direction perturbs rows by <= this, and the certificate on the original
#: rows would catch any effect on the answer.
_SPAN_RTOL = 1e-13

#: cvxpy's status strings (``cp.OPTIMAL`` is ``"optimal"``, ...) written out, so that loading this module does not
#: load cvxpy; tests/unit/test_cli_startup.py checks them against cvxpy's constants.
_STATUS = {
    "optimal": "optimal",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "optimal_inaccurate": "inaccurate",
    "infeasible_inaccurate": "inaccurate",
    "unbounded_inaccurate": "inaccurate",
}


@dataclass(frozen=True)
class RawSolve:
    status: str
    w: np.ndarray | None
    lam: np.ndarray | None
    objective: float | None
    certificate: Certificate | None
    solve_time_s: float
    cvxpy_status: str
    farkas: FarkasRay | None = None  # the infeasibility ray (infeasible) or norm lower bound (ill-conditioned)


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


def _solve_cvxpy(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str, cache: bool):
    """The primal through cvxpy. Returns (cvxpy status, w, lam, wall seconds) like :func:`_solve_direct`."""
    m = A.shape[0]
    if cache:
        prob, Ap, bp, var, con = _compiled(m, tuple(shape), norm)
    else:
        prob, Ap, bp, var, con = _compiled.__wrapped__(m, tuple(shape), norm)
    Ap.value, bp.value = A, b
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():  # an inaccurate solve is judged by the certificate, not a warning
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            prob.solve(solver=SOLVER, **SOLVER_OPTIONS)
        cv_status = prob.status
    except cp.error.SolverError:
        cv_status = "solver_error"
    wall = time.perf_counter() - t0
    if var.value is None or con.dual_value is None:
        return cv_status if cv_status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) else "solver_error", None, None, wall
    w = np.asarray(var.value, dtype=np.float64).reshape(-1)
    lam = np.asarray(con.dual_value, dtype=np.float64).reshape(-1)
    return cv_status, w, lam, wall


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
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):  # an infeasibility ray (if any) is judged by the caller, on the original rows
        return status, None, lam if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE) else None, wall
    if norm == "fro":
        w = A.T @ lam
    else:
        z = np.asarray(sol.z, dtype=np.float64)[m:]
        Z12 = np.zeros((pr, qr))
        Z12[ri[off], ci[off] - pr] = z[off] / np.sqrt(2.0)
        w = (-2.0 * U @ Z12 @ V.T).reshape(-1)
    return status, w, lam, wall


def _rank(cert: Certificate) -> tuple:
    """Order of preference between two candidate answers: certified with resolved margins first, then the
    smaller largest residual."""
    return (not (cert.ok and cert.margins_resolved), max(cert.residuals))


def _polish(A, b, Ah, bh, lam_hat, shape, scaling):
    r"""Frobenius only: the exact KKT solve on the solver's active set $S = \{k: \hat\lambda_k > $ ``TOL.svm_kkt``
    $\max\hat\lambda\}$, $\hat w = \hat A_S^+\hat b_S$ (minimum norm, by SVD) and $\hat\lambda_S$ from
    $\hat A_S^\top\hat\lambda_S = \hat w$. When $S$ is the true active set this is $W^{mm}$ to rounding, where the
    interior point stops at ~1e-9 relative; the caller keeps it only if its certificate is at least as good.
    Returns ``(w, lam, certificate, objective)`` or ``None``."""
    if lam_hat is None or not np.all(np.isfinite(lam_hat)) or np.max(lam_hat, initial=0.0) <= 0:
        return None
    S = lam_hat > TOL.svm_kkt.rtol * np.max(lam_hat)
    wh = np.linalg.lstsq(Ah[S], bh[S], rcond=None)[0]
    lh = np.zeros_like(lam_hat)
    lh[S] = np.linalg.lstsq(Ah[S].T, wh, rcond=None)[0]
    w, lam = scaling.unscale(wh, lh, "fro")
    cert, obj = certificate(A, b, w, lam, "fro", shape, scaling)
    return w, lam, cert, obj


def solve_margin_problem(A: np.ndarray, b: np.ndarray, shape: tuple[int, ...], norm: str,
                         cache: bool = True, method: str = "direct") -> RawSolve:
    """Solve the hard-margin problem for rows ``A`` (m x prod(shape)) and right-hand side ``b``.

    ``method="direct"`` (Clarabel on the dual, no modelling layer; cvxpy primal as fallback) or ``"cvxpy"`` (the
    parameterised primal, compiled once per shape when ``cache``). Both solve the normalised problem and return
    only certificate-checked optimal solutions; status ``infeasible`` only with an accepted Farkas ray,
    ``ill-conditioned`` when a ray bounds the norm from below but does not prove infeasibility.
    """
    if method not in _METHODS:  # pragma: no cover - validated by callers
        raise ValueError(method)
    A = np.ascontiguousarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scaling = scale_rows(A, b)
    if scaling.zero_infeasible >= 0:  # a zero row with b_k > 0: 0 >= b_k is false, exactly
        return RawSolve("infeasible", None, None, None, None, 0.0, "zero_row", exact_zero_row_ray(scaling, b))
    if scaling.trivial:  # no row demands a positive margin: w = 0 is exactly optimal
        w, lam = np.zeros(A.shape[1]), np.zeros(A.shape[0])
        cert, obj = certificate(A, b, w, lam, norm, shape, scaling)
        return RawSolve("optimal", w, lam, obj, cert, 0.0, "trivial")
    Ah, bh = scaling.rows(A, b)
    wall, status, ray, last, almost = 0.0, "solver_error", None, None, None
    attempts = [("direct", o) for o in _DIRECT_ATTEMPTS] if method == "direct" else []
    for route, overrides in attempts + [("cvxpy", None)]:
        # Clarabel stopped short of 1e-10 on the dual ("AlmostSolved", a few % of large nuclear SDPs) or the
        # certificate failed: the next settings, and last the primal through cvxpy, with the same acceptance rule.
        try:
            if route == "direct":
                cv_status, wh, lh, dt = _solve_direct(Ah, bh, tuple(shape), norm, overrides)
            else:
                cv_status, wh, lh, dt = _solve_cvxpy(Ah, bh, tuple(shape), norm, cache)
        except (ValueError, RuntimeError, np.linalg.LinAlgError):
            cv_status, wh, lh, dt = "solver_error", None, None, 0.0
        wall += dt
        status = _STATUS.get(cv_status, cv_status)
        if cv_status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) and wh is not None:
            w, lam = scaling.unscale(wh, lh, norm)
            cert, obj = certificate(A, b, w, lam, norm, shape, scaling)
            if norm == "fro":
                polished = _polish(A, b, Ah, bh, lh, shape, scaling)
                if polished is not None and _rank(polished[2]) <= _rank(cert):
                    w, lam, cert, obj = polished
            if cert.ok and cert.margins_resolved and cv_status == cp.OPTIMAL:
                return RawSolve("optimal", w, lam, obj, cert, wall, cv_status)
            if cert.ok and cert.margins_resolved and almost is None:  # AlmostSolved: only if none is Solved
                almost = RawSolve("optimal", w, lam, obj, cert, wall, cv_status)
            if last is None or (cert.ok and not last[3].ok):
                status, last = "uncertified", (w, lam, obj, cert, cv_status)
        elif cv_status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE, cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
            cand = farkas_ray(A, b, lh if route == "direct" else None, norm, shape, scaling)
            if cand is not None and cand.certifies_infeasible:
                return RawSolve("infeasible", None, None, None, None, wall, cv_status, cand)
            if cand is not None and (ray is None or cand.row_perturbation < ray.row_perturbation):
                ray = cand
    if almost is not None:  # the certificate, not the solver's label, is the acceptance rule
        return almost
    if ray is not None:  # no certified optimum, and a ray that bounds ||W|| but cannot prove infeasibility
        return RawSolve("ill-conditioned", None, None, None, None, wall, status, ray)
    if last is not None:  # certified only relative to the whole problem: the small margins are not resolved
        w, lam, obj, cert, cv_status = last
        return RawSolve("ill-conditioned" if cert.ok else "uncertified", w, lam, obj, cert, wall, cv_status)
    return RawSolve(status, None, None, None, None, wall, status)
