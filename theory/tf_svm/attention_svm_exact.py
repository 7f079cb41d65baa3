r"""Exact (rational) Att-SVM facts: feasibility witnesses and KKT solutions on a guessed active set.

Feasibility under over-parameterisation (TF-SVM, unverified locator; proof idea derived). With queries
$z_1..z_n$ linearly independent, $W = U^\top (Z Z^\top)^{-1} Z$ maps $z_i \mapsto u_i$ for any
$U = [u_1; \dots; u_n]$, so the problem separates by input:

* general position, $T - 1 \le d$: $u_i = D_i^\top (D_i D_i^\top)^{-1}\mathbf{1}$ with $D_i$ the rows
  $(x_{i\alpha_i} - x_{it})^\top$, giving margins exactly 1;
* unit-norm tokens, any $T$: $u_i = c_i x_{i\alpha_i}$, $c_i = 1/\min_{t \ne \alpha_i}(1 - x_{it}^\top x_{i\alpha_i})$,
  since distinct unit vectors have $x_t^\top x_\alpha < 1$.

Every quantity is a sympy ``Rational``; :func:`exact_min_margin` then checks all constraints exactly.
:func:`rational_unit_vectors` gives exactly-unit rational points by inverse stereographic projection
$y \mapsto (2y, \|y\|^2 - 1)/(\|y\|^2 + 1)$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory._lazy import lazy_module

sp = lazy_module("sympy")

__all__ = [
    "rational_unit_vectors",
    "to_rational",
    "feasibility_witness",
    "exact_min_margin",
    "ExactKkt",
    "exact_kkt_on_support",
]


def to_rational(a, max_den: int = 1000) -> sp.Matrix | list:
    """A numpy array as nested lists of sympy Rationals (limit_denominator ``max_den``)."""
    arr = np.asarray(a, dtype=object)
    return np.vectorize(lambda x: sp.Rational(x).limit_denominator(max_den) if not isinstance(x, sp.Rational)
                        else x, otypes=[object])(arr)


def rational_unit_vectors(count: int, d: int, seed: int = 0, den: int = 7):
    """``count`` exactly-unit rational vectors in R^d (object array (count, d) of Rationals)."""
    rng = np.random.default_rng(seed)
    out = np.empty((count, d), dtype=object)
    for k in range(count):
        y = [sp.Rational(int(rng.integers(-2 * den, 2 * den + 1)), den) for _ in range(d - 1)]
        s = sum(t * t for t in y)
        out[k] = [2 * t / (s + 1) for t in y] + [(s - 1) / (s + 1)]
    return out


def _witness_u(Xi, a, mode: str) -> sp.Matrix:
    T = Xi.shape[0]
    xa = sp.Matrix(Xi[a])
    others = [t for t in range(T) if t != a]
    if mode == "general":
        D = sp.Matrix([list(sp.Matrix(Xi[a]) - sp.Matrix(Xi[t])) for t in others])
        return D.T * (D * D.T).inv() * sp.ones(len(others), 1)
    c = 1 / min(1 - (sp.Matrix(Xi[t]).T * xa)[0] for t in others)
    return c * xa


def feasibility_witness(X, Z, alpha, mode: str = "general") -> sp.Matrix:
    r"""Rational $W$ with every Att-SVM constraint $\ge 1$ (``mode`` ``"general"`` or ``"unit"``, see above).

    ``X`` (n, T, d) and ``Z`` (n, d) are object arrays of Rationals (or floats, converted).
    Raises ``ValueError`` (from sympy) when a Gram matrix is singular, i.e. the hypotheses fail.
    """
    X = to_rational(X)
    Zm = sp.Matrix(to_rational(Z).tolist())
    U = sp.Matrix.hstack(*[_witness_u(X[i], int(alpha[i]), mode) for i in range(X.shape[0])]).T  # (n, d)
    return U.T * (Zm * Zm.T).inv() * Zm


def exact_min_margin(X, Z, alpha, W: sp.Matrix):
    r"""$\min_{i, t\ne\alpha_i} (x_{i\alpha_i} - x_{it})^\top W z_i$, exactly."""
    X = to_rational(X)
    Z = to_rational(Z)
    best = None
    for i in range(X.shape[0]):
        zi = sp.Matrix(Z[i])
        for t in range(X.shape[1]):
            if t == int(alpha[i]):
                continue
            m = ((sp.Matrix(X[i, int(alpha[i])]) - sp.Matrix(X[i, t])).T * W * zi)[0]
            best = m if best is None or m < best else best
    return best


@dataclass(frozen=True)
class ExactKkt:
    """KKT solution on a guessed active set, in rationals: ``ok`` iff lambda >= 0 and every margin >= 1."""

    w: sp.Matrix
    lam: tuple
    min_margin: object
    min_lambda: object

    @property
    def ok(self) -> bool:
        return bool(self.min_margin >= 1 and self.min_lambda >= 0)


def exact_kkt_on_support(rows, support) -> ExactKkt:
    r"""Solve $A_S A_S^\top \lambda_S = \mathbf{1}$, $w = A_S^\top\lambda_S$ exactly for the Frobenius margin problem
    $\min\|w\|$ s.t. $A w \ge 1$; ``rows`` (m, D) rationals, ``support`` the guessed active row indices."""
    A = sp.Matrix(to_rational(rows).tolist())
    S = list(support)
    AS = A.extract(S, list(range(A.shape[1])))
    lam = (AS * AS.T).LUsolve(sp.ones(len(S), 1))
    w = AS.T * lam
    margins = A * w
    return ExactKkt(w, tuple(lam), min(margins), min(lam))
