r"""Generalised Att-SVM for multi-token selection (nonlinear heads), with status and KKT certificate.

When GD with a nonlinear head keeps a *set* $\mathcal{O}_i$ of tokens per input (softmax $s_{it} \ge$ ``thresh``)
and suppresses the rest $\bar{\mathcal{O}}_i$, the iterate is predicted to be
$W_k \approx W^{fin} + \|W_k\|\,\widehat W^{svm}$ with

$$W^{svm} = \arg\min_W \|W\|_F \ \mathrm{s.t.}\ (x_{it} - x_{i\tau})^\top W z_i = 0\ (t, \tau \in \mathcal{O}_i),\quad
(x_{it} - x_{i\tau})^\top W z_i \ge 1\ (t \in \mathcal{O}_i,\ \tau \in \bar{\mathcal{O}}_i),$$

$$W^{fin} = \arg\min_W \|W\|_F \ \mathrm{s.t.}\ (x_{i\tau} - x_{it})^\top W z_i = \log(s_{i\tau}/s_{it})\
(t, \tau \in \mathcal{O}_i),$$

and $W^{SVMeq} = W^{fin} + R\,W^{svm}$ with the scalar $R$ fitted by least squares to a given iterate
(closed form $R = \langle W - W^{fin}, W^{svm}\rangle / \|W^{svm}\|_F^2$). One problem class covers both:
$\min \tfrac12\|w\|^2$ s.t. $A_{eq} w = b_{eq}$, $A_{in} w \ge b_{in}$ ($w = \mathrm{vec}_C(W)$). KKT:
$w = A_{eq}^\top\mu + A_{in}^\top\lambda$, $\lambda \ge 0$, $\lambda_k(a_k^\top w - b_k) = 0$; dual objective
$b_{eq}^\top\mu + b_{in}^\top\lambda - \tfrac12\|A_{eq}^\top\mu + A_{in}^\top\lambda\|^2$.

Solved on row-normalised data and scaled back; only cvxpy status ``optimal`` is accepted, and then only with a
certificate within ``TOL.svm_kkt`` relative to the data's scale (otherwise ``uncertified``, or ``ill-conditioned``
when only the small demanded margins are unresolved); infeasible is a status, never an exception.

Paper notation: TF-SVM (arXiv 2308.16898) section 5 "SVM equivalence for nonlinear heads" (locator unverified);
formulas src: umich-sota/TF-as-SVM ``base_nonlinear.py`` (``W_dir`` = our ``W_svm``, ``W_fin``, threshold
``THRED = 1e-3``, Frobenius objective as the notebook's ``fro=univariate=True``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from attnlab.theory._tolerances import TOL
from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm._margin_qp import SOLVER, SOLVER_OPTIONS, Certificate
from attnlab.theory.tf_svm.attention_model import check_instance

__all__ = ["GeneralizedSvm", "selected_sets", "generalized_svm_rows", "solve_generalized_svm", "fit_svmeq"]

#: softmax level from which a token counts as selected (``THRED_H`` of multi_token_converge.ipynb, src)
SELECT_THRESHOLD = 1e-3


@dataclass(frozen=True)
class EqQpSolution:
    """One solve of $\\min \\tfrac12\\|w\\|^2$ s.t. $A_{eq}w = b_{eq}$, $A_{in}w \\ge b_{in}$."""

    W: np.ndarray | None
    status: str  # optimal | infeasible | unbounded | inaccurate | uncertified | ill-conditioned | solver_error
    objective: float | None  # ||W||_F
    certificate: Certificate | None
    n_eq: int
    n_in: int
    solve_time_s: float

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


@dataclass(frozen=True)
class GeneralizedSvm:
    """$W^{svm}$ (``svm``), $W^{fin}$ (``fin``) and the selected sets (n, T) bool they were built from."""

    svm: EqQpSolution
    fin: EqQpSolution
    selected: np.ndarray

    @property
    def optimal(self) -> bool:
        return self.svm.optimal and self.fin.optimal


def selected_sets(s, thresh: float = SELECT_THRESHOLD) -> np.ndarray:
    r"""$\mathcal{O}_i = \{t : s_{it} \ge \mathrm{thresh}\}$ as an (n, T) bool mask."""
    s = as_float_array("s", s, ndim=2)
    if not 0 < thresh < 1:
        raise InvalidInputError(f"thresh must lie in (0, 1), got {thresh}")
    return s >= thresh


def generalized_svm_rows(X, Z, selected, s=None):
    r"""Constraint rows (flattened $d^2$) of the two problems.

    Returns ``(A_svm_eq, A_svm_in, A_fin, b_fin)``: pairs $t < \tau$ inside $\mathcal{O}_i$ give
    $(x_{it} - x_{i\tau}) z_i^\top$ (= 0 for $W^{svm}$; for $W^{fin}$ the row $(x_{i\tau} - x_{it}) z_i^\top$ with
    right-hand side $\log(s_{i\tau}/s_{it})$, needs ``s``); pairs $t \in \mathcal{O}_i$, $\tau \notin
    \mathcal{O}_i$ give $(x_{it} - x_{i\tau}) z_i^\top \ge 1$.
    """
    X, Z = check_instance(X, Z)
    n, T, d = X.shape
    sel = np.asarray(selected, dtype=bool)
    if sel.shape != (n, T):
        raise InvalidInputError(f"selected must be an (n, T) = {(n, T)} mask, got {sel.shape}")
    eq, ineq, fin, bfin = [], [], [], []
    for i in range(n):
        for t in range(T):
            for u in range(t + 1, T):
                if sel[i, t] and sel[i, u]:
                    eq.append(np.outer(X[i, t] - X[i, u], Z[i]).ravel())
                    if s is not None:
                        fin.append(np.outer(X[i, u] - X[i, t], Z[i]).ravel())
                        bfin.append(np.log(s[i, u] / s[i, t]))
                elif sel[i, t] != sel[i, u]:
                    a, b = (t, u) if sel[i, t] else (u, t)
                    ineq.append(np.outer(X[i, a] - X[i, b], Z[i]).ravel())
    D = d * d

    def mat(rows):
        return np.array(rows).reshape(-1, D)

    return mat(eq), mat(ineq), mat(fin), np.array(bfin, dtype=np.float64)


_STATUS = {cp.OPTIMAL: "optimal", cp.INFEASIBLE: "infeasible", cp.UNBOUNDED: "unbounded",
           cp.OPTIMAL_INACCURATE: "inaccurate", cp.INFEASIBLE_INACCURATE: "inaccurate",
           cp.UNBOUNDED_INACCURATE: "inaccurate"}


def _mx(a) -> float:
    """max of an array, 0 for an empty one."""
    return float(np.max(a)) if np.size(a) else 0.0


def _normalise(A_eq, b_eq, A_in, b_in):
    r"""Unit rows and largest right-hand side 1, as in :mod:`~attnlab.theory.tf_svm._margin_scale`: returns
    ``(keep_eq, keep_in, r_eq, r_in, beta, exactly_infeasible)``; zero rows are decided exactly ($0 = b \ne 0$ and
    $0 \ge b > 0$ are infeasible, the others always hold and are dropped)."""
    r_eq, r_in = np.linalg.norm(A_eq, axis=1), np.linalg.norm(A_in, axis=1)
    keep_eq, keep_in = r_eq > 0, r_in > 0
    bad = bool(np.any(~keep_eq & (b_eq != 0)) or np.any(~keep_in & (b_in > 0)))
    demands = np.concatenate([np.abs(b_eq[keep_eq]) / r_eq[keep_eq], b_in[keep_in] / r_in[keep_in], [0.0]])
    return keep_eq, keep_in, r_eq, r_in, float(np.max(demands)), bad


def _certificate(Ae, be, Ai, bi, wh, mu, lam) -> Certificate:
    """KKT residuals of the *normalised* problem (unit rows, max |rhs| 1), each relative: no absolute floor."""
    r_eq = Ae @ wh - be
    r_in = Ai @ wh - bi
    g = Ae.T @ mu + Ai.T @ lam
    obj = float(wh @ wh)  # ||w_hat||^2 >= 1 for a feasible answer
    dual = float(be @ mu) + float(bi @ lam) - 0.5 * float(g @ g)
    mult = max(_mx(np.abs(lam)), _mx(np.abs(mu)))
    return Certificate(
        primal_infeasibility=max(0.0, _mx(np.abs(r_eq)), _mx(-r_in)),
        dual_infeasibility=max(0.0, _mx(-lam)) / mult if mult > 0 else 0.0,
        complementarity=_mx(np.abs(lam * r_in)) / obj if obj > 0 else np.inf,
        stationarity=float(np.linalg.norm(wh - g)) / np.sqrt(obj) if obj > 0 else np.inf,
        duality_gap=abs(0.5 * obj - dual) / (0.5 * obj) if obj > 0 else np.inf,
        condition=float(np.sqrt(obj)),
        tolerance=TOL.svm_kkt,
        margin_violation=_mx(np.maximum(-r_in[bi > 0], 0.0) / bi[bi > 0]),
    )


def solve_eq_qp(A_eq, b_eq, A_in, b_in, shape: tuple[int, int]) -> EqQpSolution:
    r"""$\min \tfrac12\|w\|^2$ s.t. $A_{eq}w = b_{eq}$, $A_{in}w \ge b_{in}$ by Clarabel, certified by KKT residuals.

    Solved on row-normalised data (unit rows, largest demand $\beta = \max|b_k|/\|a_k\|$ scaled to 1) and scaled
    back, so tokens scaled by $c$ give $W/c^2$ to rounding; the certificate (``TOL.svm_kkt``) is relative to that
    scale. With no demanding constraint ($\beta = 0$) the minimiser is $w = 0$ (returned without the solver).
    """
    D = int(np.prod(shape))
    A_eq, A_in = np.reshape(A_eq, (-1, D)).astype(np.float64), np.reshape(A_in, (-1, D)).astype(np.float64)
    b_eq, b_in = np.reshape(b_eq, -1).astype(np.float64), np.reshape(b_in, -1).astype(np.float64)
    n_eq, n_in = A_eq.shape[0], A_in.shape[0]
    keep_eq, keep_in, r_eq, r_in, beta, bad = _normalise(A_eq, b_eq, A_in, b_in)
    if bad:  # a zero row with a nonzero demand: infeasible exactly, no tolerance involved
        return EqQpSolution(None, "infeasible", None, None, n_eq, n_in, 0.0)
    if beta == 0.0:
        zero = Certificate(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, TOL.svm_kkt)
        return EqQpSolution(np.zeros(shape), "optimal", 0.0, zero, n_eq, n_in, 0.0)
    Ae = A_eq[keep_eq] / r_eq[keep_eq, None]
    be = b_eq[keep_eq] / r_eq[keep_eq] / beta
    Ai = A_in[keep_in] / r_in[keep_in, None]
    bi = b_in[keep_in] / r_in[keep_in] / beta
    w = cp.Variable(D)
    cons = []
    if Ae.shape[0]:
        cons.append(Ae @ w == be)
    if Ai.shape[0]:
        cons.append(Ai @ w >= bi)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), cons)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():  # an inaccurate solve is a status here, not a warning
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            prob.solve(solver=SOLVER, **SOLVER_OPTIONS)
        status = _STATUS.get(prob.status, prob.status)
    except cp.error.SolverError:
        status = "solver_error"
    wall = time.perf_counter() - t0
    if status != "optimal" or w.value is None:
        return EqQpSolution(None, status if status != "optimal" else "solver_error", None, None, n_eq, n_in, wall)
    wh = np.asarray(w.value, dtype=np.float64)
    # cvxpy's dual of ``A w == b`` enters the Lagrangian as +mu (A w - b), so stationarity reads w = -A^T mu
    mu = -np.asarray(cons[0].dual_value, dtype=np.float64).reshape(-1) if Ae.shape[0] else np.zeros(0)
    lam = np.asarray(cons[-1].dual_value, dtype=np.float64).reshape(-1) if Ai.shape[0] else np.zeros(0)
    cert = _certificate(Ae, be, Ai, bi, wh, mu, lam)
    wv = beta * wh
    status = "optimal" if cert.ok and cert.margins_resolved else "ill-conditioned" if cert.ok else "uncertified"
    return EqQpSolution(wv.reshape(shape), status, float(np.linalg.norm(wv)), cert, n_eq, n_in, wall)


def solve_generalized_svm(X, Z, s, thresh: float = SELECT_THRESHOLD) -> GeneralizedSvm:
    r"""$W^{svm}$ and $W^{fin}$ for tokens ``X`` (n, T, d), queries ``Z`` (n, d) and final softmax ``s`` (n, T)."""
    X, Z = check_instance(X, Z)
    n, T, d = X.shape
    s = as_float_array("s", s, ndim=2)
    if s.shape != (n, T):
        raise InvalidInputError(f"s must have shape (n, T) = {(n, T)}, got {s.shape}")
    sel = selected_sets(s, thresh)
    if not sel.any(axis=1).all():
        raise InvalidInputError("every input needs at least one selected token (s >= thresh)")
    A_eq, A_in, A_fin, b_fin = generalized_svm_rows(X, Z, sel, s)
    svm = solve_eq_qp(A_eq, np.zeros(A_eq.shape[0]), A_in, np.ones(A_in.shape[0]), (d, d))
    fin = solve_eq_qp(A_fin, b_fin, np.zeros((0, d * d)), np.zeros(0), (d, d))
    return GeneralizedSvm(svm, fin, sel)


def fit_svmeq(W, W_fin, W_svm) -> tuple[np.ndarray, float]:
    r"""$W^{SVMeq} = W^{fin} + R W^{svm}$ with $R = \arg\min_R \|W^{fin} + R W^{svm} - W\|_F$ (closed form)."""
    W, W_fin, W_svm = (np.asarray(a, dtype=np.float64) for a in (W, W_fin, W_svm))
    den = float(np.sum(W_svm * W_svm))
    if den == 0.0:
        raise InvalidInputError("W_svm is zero; the fit of R is undefined")
    R = float(np.sum((W - W_fin) * W_svm)) / den
    return W_fin + R * W_svm, R
