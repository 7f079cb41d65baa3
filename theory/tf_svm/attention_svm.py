r"""Att-SVM: the max-margin token-selection problems and their certified solutions.

$$W^{mm}_\alpha = \arg\min_W \|W\|_\diamond \quad \mathrm{s.t.}\quad (x_{i\alpha_i} - x_{it})^\top W z_i \ge 1
\quad \forall i \in [n],\ t \ne \alpha_i,$$

with $\diamond = F$ (``norm="fro"``) or $\diamond = *$ (``norm="nuc"``, the paper's Att-SVM$_\star$,
$W^{mm}_{\star,\alpha}$). Each constraint is $\langle W, A_{it}\rangle \ge 1$ with
$A_{it} = (x_{i\alpha_i} - x_{it}) z_i^\top$: $n(T-1)$ rows in $d^2$ unknowns, built by one ``einsum``.
Prompt SVM (MMTS): $p^{mm}_\alpha = \arg\min \|p\|$ s.t. $(k_{i\alpha_i} - k_{it})^\top p \ge 1$ (right-hand
side 0 instead of 1 on chosen inputs gives $p^{relax}$). Head SVM: $v^{mm} = \arg\min\|v\|$ s.t.
$Y_i v^\top x_{i\alpha_i} \ge 1$.

Support tokens $\mathcal{T}_i$ = active constraints (``TOL.margin``). $\alpha$ is *locally optimal* when its
SVM is feasible and $\gamma_{i\alpha_i} > \gamma_{it}$ for every support token $t \in \mathcal{T}_i$.

Paper notation: W^mm_alpha, W^mm_{*,alpha}, p^mm, v^mm, support tokens and local optimality as in TF-SVM
(arXiv 2308.16898 v3, section 2, unverified locator) and MMTS (arXiv 2306.13596 v4, unverified locator).
Infeasible is a ``status``, never an exception or a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory._tolerances import TOL
from attnlab.theory._validation import as_float_array
from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm._margin_qp import (
    SOLVER,
    SOLVER_OPTIONS,
    Certificate,
    FarkasRay,
    solve_margin_problem,
)
from attnlab.theory.tf_svm.attention_model import check_alpha, check_instance, token_scores

__all__ = [
    "key_differences",
    "SvmSolution",
    "LocalOptimality",
    "att_svm_rows",
    "solve_att_svm",
    "solve_prompt_svm",
    "solve_head_svm",
    "locally_optimal",
    "locally_optimal_prompt",
]


@dataclass(frozen=True)
class SvmSolution:
    """A max-margin solution with its status and certificate.

    ``W`` is the solution (a d x d matrix for Att-SVM, a vector for the prompt/head SVMs) or ``None``
    unless ``status == "optimal"``. ``duals`` and ``margins`` have the shape of the token grid (n, T);
    at the selected token the dual is 0 and the margin ``inf``. ``support`` marks active constraints.
    ``status`` is ``optimal``, ``infeasible`` (with an accepted Farkas ray in ``farkas``), ``ill-conditioned``
    (no certified optimum: either ``farkas.norm_lower_bound`` bounds every feasible W's norm from below, or the
    certificate holds relative to the whole problem but some demanded margin is not met to ``TOL.margin`` of its
    own size, ``certificate.margins_resolved`` false), ``uncertified``, ``inaccurate`` or ``solver_error``.
    """

    W: np.ndarray | None
    status: str
    norm: str
    alpha: tuple[int, ...]
    objective: float | None
    duals: np.ndarray | None
    margins: np.ndarray | None
    support: np.ndarray | None
    certificate: Certificate | None
    margin_tolerance: dict
    solver: str
    solver_options: dict
    solve_time_s: float
    cvxpy_status: str
    farkas: FarkasRay | None = None

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def p(self) -> np.ndarray | None:
        """Alias of ``W`` for the prompt and head SVMs."""
        return self.W


def att_svm_rows(X, Z, alpha) -> np.ndarray:
    r"""Constraint rows $A_{it} = (x_{i\alpha_i} - x_{it}) z_i^\top$ for $t \ne \alpha_i$, shape (n, T-1, d, d)."""
    X, Z = check_instance(X, Z)
    n, T, _ = X.shape
    alpha = check_alpha(alpha, n, T)
    diff = key_differences(X, alpha)  # (n, T-1, d)
    return np.einsum("ntd,ne->ntde", diff, Z)


def key_differences(K: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    r"""Rows $k_{i\alpha_i} - k_{it}$ for every non-selected $t$: the Att-SVM constraint directions, shape (n, T-1, d)."""
    n, T, _ = K.shape
    sel = K[np.arange(n), alpha]  # (n, d)
    others = np.ones((n, T), dtype=bool)
    others[np.arange(n), alpha] = False
    return sel[:, None, :] - K[others].reshape(n, T - 1, -1)


def _to_grid(vals: np.ndarray, alpha: np.ndarray, T: int, fill: float) -> np.ndarray:
    n = alpha.shape[0]
    out = np.full((n, T), fill)
    others = np.ones((n, T), dtype=bool)
    others[np.arange(n), alpha] = False
    out[others] = vals
    return out


def _active(A: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Active constraints: $|a_k^\top w - b_k| \le$ ``TOL.margin`` at $|b_k|$ plus what the certificate left
    open on that row, ``TOL.svm_kkt`` $\cdot\,\|a_k\|\,\beta$ (its primal residual in original units; $\beta$ as
    in :mod:`~attnlab.theory.tf_svm._margin_scale`). On well-scaled data the second term is ~100x below the first;
    on an ill-conditioned instance (a near-duplicate token) it widens the test to what was actually verified."""
    row = np.linalg.norm(A, axis=1)
    pos = row > 0
    beta = float(np.max(b[pos] / row[pos])) if pos.any() else 0.0
    allow = TOL.margin.rtol * np.abs(b) + TOL.svm_kkt.allowance(1.0) * row * max(beta, 0.0)
    return np.abs(A @ w - b) <= np.where(allow > 0, allow, TOL.margin.allowance(1.0))


def _package(raw, A, b, alpha, T, shape, norm) -> SvmSolution:
    W = duals = margins = support = None
    if raw.w is not None:  # optimal, or uncertified / ill-conditioned with a solution kept for inspection
        w = raw.w
        W = w.reshape(shape)
        margins = _to_grid(A @ w, alpha, T, np.inf)
        duals = _to_grid(np.maximum(raw.lam, 0.0), alpha, T, 0.0)
        support = _to_grid(_active(A, b, w), alpha, T, False).astype(bool)
        if raw.status != "optimal":
            W = None
    return SvmSolution(W, raw.status, norm, tuple(int(a) for a in alpha), raw.objective, duals, margins,
                       support, raw.certificate, TOL.margin.to_dict(), SOLVER, dict(SOLVER_OPTIONS),
                       raw.solve_time_s, raw.cvxpy_status, raw.farkas)


def solve_att_svm(X, Z, alpha, norm: str = "fro", cache: bool = True) -> SvmSolution:
    r"""Solve Att-SVM ($\|\cdot\|_F$) or Att-SVM$_\star$ ($\|\cdot\|_*$) for tokens ``X`` (n, T, d), queries
    ``Z`` (n, d) and selected indices ``alpha`` (n,).

    Solved by Clarabel on the dual built directly (:mod:`attnlab.theory.tf_svm._margin_qp`); ``cache=True`` reuses the
    parameterised cvxpy problem of the fallback path (used when Clarabel reports AlmostSolved).
    """
    if norm not in ("fro", "nuc"):
        raise InvalidInputError(f"norm must be 'fro' or 'nuc', got {norm!r}")
    X, Z = check_instance(X, Z)
    n, T, d = X.shape
    alpha = check_alpha(alpha, n, T)
    A = att_svm_rows(X, Z, alpha).reshape(n * (T - 1), d * d)  # row-major vec(W)
    b = np.ones(n * (T - 1))
    raw = solve_margin_problem(A, b, (d, d), norm, cache=cache)
    return _package(raw, A, b, alpha, T, (d, d), norm)


def solve_prompt_svm(keys, alpha, relax=None, cache: bool = True) -> SvmSolution:
    r"""$p^{mm}_\alpha$ for keys $k \in \mathbb{R}^{n\times T\times d}$; ``relax`` (n,) bool puts right-hand side 0
    on those inputs ($p^{relax}$, MMTS joint (v, p) theorem)."""
    K = as_float_array("keys", keys, ndim=3)
    n, T, d = K.shape
    alpha = check_alpha(alpha, n, T)
    A = key_differences(K, alpha).reshape(n * (T - 1), d)
    rhs = np.ones((n, T - 1))
    if relax is not None:
        relax = np.asarray(relax, dtype=bool)
        if relax.shape != (n,):
            raise InvalidInputError(f"relax must be n = {n} booleans, got shape {relax.shape}")
        rhs[relax] = 0.0
    b = rhs.reshape(-1)
    raw = solve_margin_problem(A, b, (d,), "fro", cache=cache)
    return _package(raw, A, b, alpha, T, (d,), "fro")


def solve_head_svm(X, Y, alpha, cache: bool = True) -> SvmSolution:
    r"""$v^{mm} = \arg\min\|v\|$ s.t. $Y_i v^\top x_{i\alpha_i} \ge 1$ (hard-margin SVM, no bias).

    ``duals``/``margins``/``support`` have shape (n, 1) here.
    """
    X = as_float_array("X", X, ndim=3)
    n, T, d = X.shape
    _, _, Y = check_instance(X, np.zeros((n, d)), None, Y)
    alpha = check_alpha(alpha, n, T)
    A = Y[:, None] * X[np.arange(n), alpha]
    b = np.ones(n)
    raw = solve_margin_problem(A, b, (d,), "fro", cache=cache)
    return _package(raw, A, b, np.full(n, 1), 2, (d,), "fro")


@dataclass(frozen=True)
class LocalOptimality:
    r"""Verdict on $\alpha$: ``locally-optimal``, ``not-locally-optimal``, ``ambiguous`` (a support token's
    score ties $\gamma_{i\alpha_i}$ within ``TOL.inequality``) or the SVM's non-optimal status."""

    status: str
    alpha: tuple[int, ...]
    svm: SvmSolution
    violations: tuple[tuple[int, int], ...]  # (i, t): support token with score >= selected score

    @property
    def is_locally_optimal(self) -> bool:
        return self.status == "locally-optimal"


def _classify(sol: SvmSolution, gamma: np.ndarray, alpha: np.ndarray) -> LocalOptimality:
    if not sol.optimal:
        return LocalOptimality(sol.status, sol.alpha, sol, ())
    n = gamma.shape[0]
    sel = gamma[np.arange(n), alpha][:, None]
    gap = sel - gamma  # > 0 required on support tokens
    allow = np.vectorize(TOL.inequality.allowance)(sel) * np.ones_like(gamma)
    bad = sol.support & (gap <= -allow)
    tie = sol.support & (np.abs(gap) <= allow)
    viol = tuple((int(i), int(t)) for i, t in zip(*np.nonzero(bad | tie), strict=True))
    status = "not-locally-optimal" if bad.any() else "ambiguous" if tie.any() else "locally-optimal"
    return LocalOptimality(status, sol.alpha, sol, viol)


def locally_optimal(X, Z, v, Y, alpha, norm: str = "fro") -> LocalOptimality:
    """Is ``alpha`` locally optimal for the TF-SVM instance? Solves Att-SVM(alpha) once."""
    X, Z, v, Y = check_instance(X, Z, v, Y)
    alpha = check_alpha(alpha, X.shape[0], X.shape[1])
    return _classify(solve_att_svm(X, Z, alpha, norm), token_scores(X, v, Y), alpha)


def locally_optimal_prompt(keys, X, v, Y, alpha) -> LocalOptimality:
    """Local optimality for the prompt model (keys for the SVM, values X for the scores)."""
    X = as_float_array("X", X, ndim=3)
    alpha = check_alpha(alpha, X.shape[0], X.shape[1])
    return _classify(solve_prompt_svm(keys, alpha), token_scores(X, v, Y), alpha)
