r"""Exact (sympy) checks: gradient and Hessian at n = 3, d = 2, :math:`\|J_u\| \le 1/2` at n = 2, 3, and
:math:`\sup\|J_u c\| = 8\sqrt2/27` at n = 2 (derivations: ``proofs_checks/softmax_icl/DERIVATIONS.md``).

*Derivatives.* L is differentiated exactly in x; every :math:`\exp(a_i^\top x)` is then replaced by a positive
symbol :math:`E_i` (differentiation keeps the atoms intact), so both sides become rational functions of
(A, b, E). The residual (exact derivative minus the formula) is first evaluated at random rational points
(a non-zero rational value is a counterexample: status failed), then brought to a single fraction with
``cancel``; only an exact 0 earns proved-symbolic. Treating the :math:`E_i` as free proves the identity for
all logits, a superset of the reachable u = Ax.

*Bounds.* Nonnegativity of a polynomial on a simplex or box is proved by exact minimisation: sympy solves
for the critical points of the interior and of every face, and the minimum over the finitely many
candidates is compared with 0 exactly. The 1/2 bound uses the eigenvalues of :math:`J_u` through its
characteristic polynomial: for n = 3, :math:`\lambda(\lambda^2 - t\lambda + e_2)` with t = tr J,
:math:`e_2 = 3p_1p_2p_3`, so :math:`\lambda_{\max} \le 1/2 \iff 1 - t \ge 0` and
:math:`1/4 - t/2 + e_2 \ge 0`. All [derived].
"""

from __future__ import annotations

import itertools

from attnlab.proofs_checks.record import Status
from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.proofs_checks.symbolic_residuals import residual_outcome
from attnlab.theory._lazy import lazy_module

sp = lazy_module("sympy")

__all__ = ["gradient_symbolic", "hessian_symbolic", "jacobian_norm_symbolic", "target_shift_sup_symbolic"]

_N, _D = 3, 2


def _setup():
    A = sp.Matrix(_N, _D, lambda i, j: sp.Symbol(f"a{i}{j}", real=True))
    x = sp.Matrix(_D, 1, lambda i, _: sp.Symbol(f"x{i}", real=True))
    b = sp.Matrix(_N, 1, lambda i, _: sp.Symbol(f"b{i}", real=True))
    E = sp.Matrix(_N, 1, lambda i, _: sp.Symbol(f"E{i}", positive=True))
    expo = [sp.exp((A[i, :] * x)[0]) for i in range(_N)]
    return A, x, b, E, expo


def _formula_grad(A, f, b):
    c = f - b
    return A.T * (f.multiply_elementwise(c) - (f.T * c)[0] * f)


def _formula_middle(f, b, trap: bool):
    g = (2 * f - b).multiply_elementwise(f)
    s = ((f - b).T * f)[0]
    return (
        sp.diag(*g) + (1 if trap else -1) * s * sp.diag(*f) - g * f.T - f * g.T
        + ((3 * f - 2 * b).T * f)[0] * f * f.T
    )




def _derivative_check(budget, mutant: bool, order: int) -> Outcome:
    A, x, b, E, expo = _setup()
    alpha = sum(expo)
    f_x = sp.Matrix([e / alpha for e in expo])
    L = sum((f_x - b).applyfunc(lambda t: t**2)) / 2
    to_E = {expo[i]: E[i] for i in range(_N)}
    f_E = E / sum(E)
    if order == 1:
        exact = [sp.diff(L, xi).xreplace(to_E) for xi in x]
        ours = list(_formula_grad(A, f_E, b))
        if mutant:
            ours = list(A.T * (f_E.multiply_elementwise(f_E - b) + ((f_E.T * (f_E - b))[0]) * f_E))
    else:
        grad = [sp.diff(L, xi) for xi in x]
        pairs = [(i, j) for i in range(_D) for j in range(i, _D)]  # symmetric: upper triangle only
        exact = [sp.diff(grad[i], x[j]).xreplace(to_E) for i, j in pairs]
        H = A.T * _formula_middle(f_E, b, trap=mutant) * A
        ours = [H[i, j] for i, j in pairs]
    residuals = [sp.expand(e - o) if order == 1 else e - o for e, o in zip(exact, ours, strict=True)]
    details = {"n": _N, "d": _D}
    if mutant:
        details["negative_control"] = "sign of <f,c> f flipped" if order == 1 else "sign trap +<f-b,f> diag(f)"
    return residual_outcome(residuals, budget, details)


@claim(
    "softmax_icl/gradient-symbolic",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#gradient",
    statement=r"sympy, $n=3, d=2$: $\partial_x \tfrac12\|f - b\|^2 - A^\top[f\circ c - \langle f,c\rangle f] \equiv 0$",
    kind="symbolic",
    negative="sign of the <f, c> f term flipped",
)
def gradient_symbolic(budget, mutant: bool) -> Outcome:
    return _derivative_check(budget, mutant, 1)


@claim(
    "softmax_icl/hessian-symbolic",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#hessian",
    statement=r"sympy, $n=3, d=2$: $\partial_x^2 L - A^\top B(x) A \equiv 0$",
    kind="symbolic",
    negative="sign trap +<f-b, f> diag(f)",
)
def hessian_symbolic(budget, mutant: bool) -> Outcome:
    return _derivative_check(budget, mutant, 2)


# ---------------------------------------------------------------- exact minimisation on a polytope


def _min_on_box_or_simplex(poly, vars_, constraints):
    """Exact minimum of ``poly`` over {vars >= 0, constraints}: critical points of every face (finite sets only)."""
    cands = []
    k = len(vars_)
    # faces: choose which variables are pinned to 0 and whether each extra constraint is active
    for pinned in itertools.product([False, True], repeat=k):
        for active in itertools.product([False, True], repeat=len(constraints)):
            subs = {v: 0 for v, p in zip(vars_, pinned, strict=True) if p}
            free = [v for v, p in zip(vars_, pinned, strict=True) if not p]
            eqs = [c.xreplace(subs) for c, a in zip(constraints, active, strict=True) if a]
            q = poly.xreplace(subs)
            lam = sp.symbols(f"l0:{len(eqs)}", real=True)
            lag = q - sum(li * e for li, e in zip(lam, eqs, strict=True))
            system = [sp.diff(lag, v) for v in free] + eqs
            unknowns = free + list(lam)
            if not unknowns:
                cands.append(q)
                continue
            sols = sp.solve(system, unknowns, dict=True)
            for s in sols:
                point = {v: s.get(v, v) for v in free}
                if any(not val.is_number for val in point.values()):
                    raise ValueError("positive-dimensional critical set: inconclusive")
                full = {**subs, **point}
                if all(sp.nsimplify(val).is_real and val >= 0 for val in point.values()) and all(
                    (c.xreplace(full) <= 0) for c in constraints
                ):
                    cands.append(sp.nsimplify(poly.xreplace(full)))
    return min(cands, key=lambda t: sp.N(t, 50)), len(cands)


def _jnorm_conditions(n: int, bound):
    p = sp.symbols(f"p0:{n}", nonnegative=True)
    J = sp.diag(*p) - sp.Matrix(p) * sp.Matrix(p).T
    t = J.trace()
    if n == 2:
        conds = [bound - t]  # eigenvalues 0 and tr J
    else:
        e2 = sum(J[i, i] * J[j, j] - J[i, j] ** 2 for i, j in itertools.combinations(range(n), 2))
        conds = [2 * bound - t, bound**2 - bound * t + e2]
    simplex = [sum(p) - 1, 1 - sum(p)]  # <= 0 both ways: sum p = 1 (as two inequalities)
    return p, conds, simplex


@claim(
    "softmax_icl/softmax-jacobian-norm-symbolic",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#jacobian-norm",
    statement=r"sympy, $n = 2, 3$: $\lambda_{\max}(\mathrm{diag}(p) - pp^\top) \le \tfrac12$ on the simplex (attained at $(\tfrac12,\tfrac12,0)$)",
    kind="symbolic",
    negative="bound 9/20 below the tight 1/2",
)
def jacobian_norm_symbolic(budget, mutant: bool) -> Outcome:
    bound = sp.Rational(9, 20) if mutant else sp.Rational(1, 2)
    mins = {}
    for n in (2, 3):
        p, conds, _ = _jnorm_conditions(n, bound)
        # eliminate the last coordinate: p_n = 1 - sum(others) >= 0
        last = 1 - sum(p[:-1])
        for k, c in enumerate(conds):
            q = sp.expand(c.xreplace({p[-1]: last}))
            m, _cnt = _min_on_box_or_simplex(q, list(p[:-1]), [sum(p[:-1]) - 1])
            mins[f"n={n},cond{k}"] = m
    worst_key = min(mins, key=lambda k: sp.N(mins[k], 50))
    worst = mins[worst_key]
    status = Status.PROVED_SYMBOLIC if worst >= 0 else Status.FAILED
    details = {"exact_minima": {k: str(v) for k, v in mins.items()}, "bound": str(bound)}
    if mutant:
        details["negative_control"] = "bound 9/20"
    return Outcome(status=status, lhs=float(-worst), rhs=0.0, instances_tried=len(mins), instances_applicable=len(mins),
                   worst_instance={"condition": worst_key}, details=details)


@claim(
    "softmax_icl/target-shift-sup-symbolic",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#target-shift-simplex",
    statement=r"sympy, $n=2$, $b$ in the simplex: $\max \|J_u (f-b)\|_2^2 = 128/729$, i.e. $\sup = 8\sqrt2/27$",
    kind="symbolic",
    negative="claimed supremum sqrt(2)/4 (the value at s = 1/2)",
)
def target_shift_sup_symbolic(budget, mutant: bool) -> Outcome:
    s, beta = sp.symbols("s beta", nonnegative=True)
    # n = 2: f = (s, 1-s), b = (beta, 1-beta): ||J c||^2 = 8 s^2 (1-s)^2 (s - beta)^2, convex in beta,
    # so for each s the maximum over beta in [0, 1] sits at beta = 0 or beta = 1: two univariate problems.
    J = sp.Matrix([[s * (1 - s), -s * (1 - s)], [-s * (1 - s), s * (1 - s)]])
    c = sp.Matrix([s - beta, beta - s])
    sq = sp.expand(((J * c).T * (J * c))[0])
    assert sp.diff(sq, beta, 2).is_nonnegative is not False  # convex in beta
    claimed = sp.Rational(1, 8) if mutant else sp.Rational(128, 729)  # (sqrt2/4)^2 = 1/8
    cands = []
    for bv in (0, 1):
        h = sq.xreplace({beta: bv})
        pts = [0, 1] + [r for r in sp.solve(sp.diff(h, s), s) if r.is_real and 0 <= r <= 1]
        cands += [(h.xreplace({s: r}), r, bv) for r in pts]
    sup_sq, s_star, b_star = max(cands, key=lambda t: sp.N(t[0], 50))
    status = Status.PROVED_SYMBOLIC if sp.simplify(sup_sq - claimed) == 0 else Status.FAILED
    details = {"sup_squared": str(sup_sq), "claimed_squared": str(claimed), "argmax_s": str(s_star),
               "argmax_beta": str(b_star), "sup": str(sp.sqrt(sup_sq)), "candidates": len(cands)}
    if mutant:
        details["negative_control"] = "claimed sup sqrt(2)/4"
    return Outcome(status=status, lhs=float(sp.sqrt(sup_sq)), rhs=float(sp.sqrt(claimed)), instances_tried=len(cands),
                   instances_applicable=len(cands), worst_instance={"s": str(s_star), "beta": str(b_star)},
                   details=details)
