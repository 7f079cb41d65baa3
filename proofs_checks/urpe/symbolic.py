r"""Exact (sympy) algebra behind the negative theorem and the URPE witness (spec C2 check 3, C6).

*Row sums and the induction step.* With $E_{ij} = \exp(s_{ij} + b_{j-i})$ kept as free positive symbols (so the
identity holds for *every* content logit $s$ and bias $b$, causal entries set to 0), $\alpha_{ij} = E_{ij} /
\sum_l E_{il}$ satisfies $\sum_j \alpha_{ij} = 1$ and $\sum_j \alpha_{ij} h = h$ for a row h repeated n times.
*URPE row sums.* With $W_Q = W_K = 0$, $B = 0$ the softmax is $1/n$ and $(\alpha \odot C)1 = \tfrac1n C1$,
$(C1)_i = \sum_j c_{j-i}$; the witness $c_k = [k \le 0]$ gives $P1 = (1, \dots, n)/n$ exactly.

A residual is first brought to one fraction (``cancel``): an exact 0 earns proved-symbolic. Otherwise it is
evaluated at rational points; a non-zero value is a counterexample (status failed). [derived]
"""

from __future__ import annotations

from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.proofs_checks.symbolic_residuals import residual_outcome
from attnlab.theory._lazy import lazy_module

sp = lazy_module("sympy")

__all__ = ["row_stochastic_induction", "urpe_row_sums"]

_N, _D = 4, 2




@claim(
    "urpe/row-stochastic-induction-symbolic",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#constant-sequence",
    statement=r"sympy, $n=4$, bidirectional and causal: $\sum_j \alpha_{ij} = 1$ and $\sum_j \alpha_{ij} h = h$ for "
    r"$\alpha_{ij} = E_{ij}/\sum_l E_{il}$, $E_{ij} = e^{s_{ij} + b_{j-i}} > 0$ free",
    kind="symbolic",
    negative="softmax normalised over the query axis (columns) instead of the key axis",
)
def row_stochastic_induction(budget, mutant: bool) -> Outcome:
    E = sp.Matrix(_N, _N, lambda i, j: sp.Symbol(f"E{i}{j}", positive=True))
    h = sp.Matrix(1, _D, lambda _, t: sp.Symbol(f"h{t}", real=True))
    residuals = []
    for causal in (False, True):
        M = E.copy()
        if causal:
            for i in range(_N):
                for j in range(i + 1, _N):
                    M[i, j] = 0
        norm = [sum(M[:, j]) for j in range(_N)] if mutant else [sum(M[i, :]) for i in range(_N)]
        A = M.copy()
        for i in range(_N):
            for j in range(_N):
                A[i, j] = M[i, j] / (norm[j] if mutant else norm[i])
        H = sp.Matrix.vstack(*[h] * _N)
        residuals += [sum(A[i, :]) - 1 for i in range(_N)]
        residuals += list(A * H - H)
    details = {"n": _N, "d": _D, "causal": [False, True]}
    if mutant:
        details["negative_control"] = "column-normalised softmax"
    return residual_outcome(residuals, budget, details)


@claim(
    "urpe/urpe-row-sums-symbolic",
    locator="derived: proofs_checks/urpe/DERIVATIONS.md#position-aware-witness",
    statement=r"sympy, $n=5$: $W_Q = W_K = 0, B = 0 \Rightarrow (\alpha \odot C)1 = \tfrac1n C1$ for free $c_k$, and "
    r"$c_k = [k \le 0]$ ($k = j - i$) gives $P1 = (1,\dots,n)/n$",
    kind="symbolic",
    negative="C indexed by i - j instead of j - i",
)
def urpe_row_sums(budget, mutant: bool) -> Outcome:
    n = 5
    c = {k: sp.Symbol(f"c{k}".replace("-", "m"), real=True) for k in range(-(n - 1), n)}
    sign = -1 if mutant else 1
    logits = sp.zeros(n, n)  # W_Q = W_K = 0, B = 0
    E = logits.applyfunc(sp.exp)
    alpha = sp.Matrix(n, n, lambda i, j: E[i, j] / sum(E[i, :]))
    P = sp.Matrix(n, n, lambda i, j: alpha[i, j] * c[sign * (j - i)])
    rows = P * sp.ones(n, 1)
    residuals = [rows[i] - sum(c[j - i] for j in range(n)) / n for i in range(n)]
    witness = {c[k]: (1 if k <= 0 else 0) for k in c}
    residuals += [rows[i].xreplace(witness) - sp.Rational(i + 1, n) for i in range(n)]
    details = {"n": n}
    if mutant:
        details["negative_control"] = "C transposed (offset i - j)"
    return residual_outcome(residuals, budget, details)
