r"""Independent references for the tf_svm structure and landscape claims, written from the definitions and sharing
no code with the package's solver or loss (so a bug there shows up as a disagreement):

* :func:`exact_wmm` -- $W^{mm}_\alpha$ in rationals: the KKT system $A_S A_S^\top\lambda_S = \mathbf 1$,
  $w = A_S^\top\lambda_S$ on a guessed active set $S$, accepted only when $\lambda \ge 0$ and every margin is $\ge 1$
  exactly (then it *is* the unique optimum: KKT conditions are sufficient for this convex problem). Its rank is
  exact (sympy).
* :func:`primal_wmm` -- $\min\|W\|_F^2$ over the $d\times d$ variable with the constraints
  $(x_{i\alpha_i} - x_{it})^\top W z_i \ge 1$ written one by one in cvxpy (Clarabel, the package's stopping
  tolerances), with no row normalisation, dual construction or polishing.
* :func:`reference_loss` -- $\mathcal L(W) = \frac1n\sum_i\ell(Y_i v^\top X_i^\top \mathrm{softmax}(X_iWz_i))$ and
  $\mathcal L^\star = \frac1n\sum_i \ell(\max_t Y_i v^\top x_{it})$ in plain numpy (logistic $\ell$).

Data are quantised to multiples of $2^{-10}$ (:func:`quantised`) before an exact solve, so the float64 numbers the
solver sees are exactly the rationals the reference sees.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._lazy import lazy_module
from attnlab.theory.tf_svm.attention_svm_exact import ExactKkt, exact_kkt_on_support

sp = lazy_module("sympy")
cp = lazy_module("cvxpy")

__all__ = ["QUANTUM", "quantised", "exact_rank", "exact_rows", "exact_wmm", "primal_wmm", "reference_loss"]

#: grid of :func:`quantised`: a power of two, so every quantised float is an exact binary rational
QUANTUM = 2.0**-10


def quantised(a: np.ndarray) -> np.ndarray:
    """``a`` rounded to the nearest multiple of :data:`QUANTUM` (exactly representable, exactly rational)."""
    return np.round(np.asarray(a, dtype=np.float64) / QUANTUM) * QUANTUM


def exact_rank(A: np.ndarray) -> int:
    """Exact rank of a float matrix whose entries are read as the rationals they are (sympy)."""
    return int(sp.Matrix(np.vectorize(sp.Rational, otypes=[object])(np.asarray(A, dtype=np.float64)).tolist()).rank())


def exact_rows(X: np.ndarray, Z: np.ndarray, alpha) -> np.ndarray:
    r"""Rows $\mathrm{vec}((x_{i\alpha_i} - x_{it}) z_i^\top)$, $t \ne \alpha_i$ in order, as sympy Rationals (object)."""
    n, T, _ = X.shape
    R = np.vectorize(sp.Rational, otypes=[object])
    Xr, Zr = R(X), R(Z)
    return np.array([np.outer(Xr[i, alpha[i]] - Xr[i, t], Zr[i]).ravel()
                     for i in range(n) for t in range(T) if t != alpha[i]], dtype=object)


def exact_wmm(X: np.ndarray, Z: np.ndarray, alpha, support: np.ndarray) -> tuple[ExactKkt, object]:
    r"""The exact KKT solution on the active set ``support`` ((n, T) bool, False at $\alpha_i$) and $W$ as a
    $d\times d$ sympy Matrix. ``kkt.ok`` says whether it is certified optimal."""
    n, T, d = X.shape
    S = [k for k, (i, t) in enumerate((i, t) for i in range(n) for t in range(T) if t != alpha[i]) if support[i, t]]
    kkt = exact_kkt_on_support(exact_rows(X, Z, alpha), S)
    return kkt, sp.Matrix(d, d, list(kkt.w))


def primal_wmm(X: np.ndarray, Z: np.ndarray, alpha) -> np.ndarray | None:
    r"""$W^{mm}_\alpha$ from the primal problem as written in the paper; ``None`` unless cvxpy reports optimal."""
    n, T, d = X.shape
    W = cp.Variable((d, d))
    cons = [(X[i, alpha[i]] - X[i, t]) @ W @ Z[i] >= 1 for i in range(n) for t in range(T) if t != alpha[i]]
    prob = cp.Problem(cp.Minimize(cp.sum_squares(W)), cons)
    try:
        prob.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    except cp.error.SolverError:
        return None
    return np.asarray(W.value) if prob.status == "optimal" else None


def reference_loss(X, Z, v, Y, W) -> tuple[float, float]:
    r"""$(\mathcal L(W), \mathcal L^\star)$ with the logistic loss, plain numpy (max-shifted softmax)."""
    logits = np.einsum("ntd,de,ne->nt", X, W, Z)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    f = np.einsum("nt,ntd,d->n", s, X, v)
    best = np.max(Y[:, None] * np.einsum("ntd,d->nt", X, v), axis=1)
    return float(np.mean(np.logaddexp(0.0, -Y * f))), float(np.mean(np.logaddexp(0.0, -best)))
