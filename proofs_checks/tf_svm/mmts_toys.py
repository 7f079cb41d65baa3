r"""The predecessor paper's (MMTS) toy instances with exact SVM solutions (arithmetic derived in
``proofs_checks/tf_svm/DERIVATIONS.md#mmts-toys``;
printed cvxopt objectives src: MMTS notebooks). Each solution is verified in rationals by its KKT system
on the active set (lambda >= 0, all margins >= 1) and matched by the certified Clarabel solve.

Positive-control family: besides the fixed toys, prompt instances built with a planted solution $p^\star$
(:func:`_built_cases`): each input has one key at $k_{i\alpha_i} - p^\star/\|p^\star\|^2$ (a support token, margin
exactly 1) and the others at $k_{i\alpha_i} - c\,p^\star/\|p^\star\|^2 + w$ with $c \in \{2, 3\}$, $w \perp p^\star$
(margin $c > 1$); KKT holds with $\lambda = \|p^\star\|^2$ on input 0's support row (the rows coincide across inputs), so $p^{mm}_\alpha = p^\star$ exactly. A built case
whose exact KKT system is not certified or whose solve is not optimal fails the claim. Negative control, a planted
bug: the prompt-SVM constraint sign flipped (rows $k_{it} - k_{i\alpha_i}$, i.e. keys negated).
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL, max_violation
from attnlab.theory.tf_svm.attention_svm import key_differences, solve_prompt_svm
from attnlab.theory.tf_svm.attention_svm_exact import to_rational
from attnlab.theory.tf_svm.examples import mmts_joint, mmts_loss_comparison, mmts_single_input

sp = lazy_module("sympy")


def R(*args):  # sympy.Rational, imported on first use
    return sp.Rational(*args)


def _cases():
    """(name, keys (object or float array), alpha, support rows, expected exact p)."""
    yield "single_input alpha=a", mmts_single_input(0.9).keys, (0,), [1], (R(-10, 101), R(100, 101))
    yield "single_input alpha=b", mmts_single_input(0.9).keys, (1,), [1], (R(1), R(0))
    yield "joint tight", mmts_joint(True).keys, (1, 1, 1), [1, 2], (R(4, 3), R(1, 3))
    for C in (1, 10, 100):
        yield f"loss_comparison C={C}", mmts_loss_comparison(C).keys, (1, 1), [0, 1], (R(1), R(0))


def _orthogonal(p: list, rng) -> list:
    """A non-zero rational vector orthogonal to ``p`` (2-D: the rotation; 3-D: a cross product)."""
    if len(p) == 2:
        return [-p[1], p[0]]
    while True:
        a = [R(int(x)) for x in rng.integers(-3, 4, size=3)]
        w = [p[1] * a[2] - p[2] * a[1], p[2] * a[0] - p[0] * a[2], p[0] * a[1] - p[1] * a[0]]
        if any(x != 0 for x in w):
            return w


def _built_cases(seed: int, count: int):
    """``count`` prompt instances with a planted exact solution p* (module docstring), d in {2, 3}, n in {1, 2, 3}."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        d, n, T = (2, 3)[k % 2], 1 + k % 3, 3 + k % 2
        p = [R(int(rng.integers(1, 6)) * int(rng.choice([-1, 1])), int(rng.integers(1, 4))) for _ in range(d)]
        unit = [x / sum(y * y for y in p) for x in p]  # p / ||p||^2
        keys = np.empty((n, T, d), dtype=object)
        alpha = tuple(int(rng.integers(0, T)) for _ in range(n))
        support = []
        for i in range(n):
            ka = [R(int(x), 4) for x in rng.integers(-8, 9, size=d)]
            others = [t for t in range(T) if t != alpha[i]]
            keys[i, alpha[i]] = ka
            for j, t in enumerate(others):
                if j == 0:  # the support token: margin exactly 1 (every input's row is p*/||p*||^2: the KKT
                    keys[i, t] = [a - u for a, u in zip(ka, unit, strict=True)]  # system keeps the first only)
                    if i == 0:
                        support.append(j)
                else:
                    c, s = int(rng.integers(2, 4)), R(int(rng.integers(-3, 4)), 2)
                    w = _orthogonal(p, rng)
                    keys[i, t] = [a - c * u + s * x for a, u, x in zip(ka, unit, w, strict=True)]
        yield f"built seed={seed} k={k} (n={n}, T={T}, d={d})", keys, alpha, support, tuple(p)


def _check_case(keys, alpha, support, expected, flip: bool) -> tuple[bool, float, dict]:
    """Exact KKT on ``support`` and the certified solve; ``flip`` plants the sign bug in both."""
    K = to_rational(keys)  # the toys' decimal keys as exact rationals
    K = -K if flip else K
    rows = key_differences(np.asarray(K, dtype=object), np.array(alpha)).reshape(-1, K.shape[2])
    A = sp.Matrix(rows.tolist())
    AS = A.extract(list(support), list(range(A.shape[1])))
    lam = (AS * AS.T).LUsolve(sp.ones(len(support), 1))
    w = AS.T * lam
    kkt_ok = bool(min(A * w) >= 1 and min(lam) >= 0)
    exact_ok = kkt_ok and list(w) == list(expected)
    sol = solve_prompt_svm(np.asarray(K, dtype=float), alpha)
    num = max_violation(sol.W, np.array(expected, dtype=float), TOL.solver) if sol.optimal else np.inf
    info = {"exact_kkt_ok": kkt_ok, "w": [str(x) for x in w], "expected": [str(x) for x in expected],
            "solver_status": sol.status, "duals": [str(x) for x in lam]}
    return exact_ok and num <= 0, float(num), info


@claim(
    "tf_svm/mmts-toy-exact-solutions",
    locator="derived: proofs_checks/tf_svm/DERIVATIONS.md#mmts-toys (instances and printed objectives from the ucr-optml/max_margin_attention "
            "notebooks of MMTS, arXiv:2306.13596)", kind="certified", provenance="derived",
    statement=r"MMTS toys: $p^{mm}_a = (-0.1, 1)/1.01$, $p^{mm}_b = (1, 0)$, joint $p^{mm} = (4/3, 1/3)$, loss example "
              r"$p^{mm} = (1, 0)$ for all C; and $p^{mm}_\alpha = p^\star$ on instances built with a planted $p^\star$",
    negative="planted bug: prompt-SVM constraint sign flipped (rows k_it - k_ia, keys negated)",
)
def mmts_toys(budget: Budget, mutant: bool) -> Outcome:
    details, worst, built = {}, -np.inf, max(2, budget.instances // 4)
    cases = list(_cases()) + list(_built_cases(budget.seed, built))
    for name, keys, alpha, support, expected in cases:
        ok, num, info = _check_case(np.asarray(keys, dtype=object), alpha, support, expected, mutant)
        details[name] = info
        worst = max(worst, num)
        if not ok:
            reason = (f"{name}: exact {info['w']} vs expected {info['expected']}, exact KKT ok {info['exact_kkt_ok']}, "
                      f"solver {info['solver_status']}")
            if name.startswith("built"):
                reason = "positive control: a built instance was not certified: " + reason
            return Outcome(status=Status.FAILED, lhs=num, rhs=0.0, tolerance=TOL.solver, instances_tried=len(details),
                           instances_applicable=len(details), worst_instance={"case": name}, reasons=(reason,),
                           details=details)
    details["positive_control"] = {"instances": built, "applicable": built, "status": str(Status.CERTIFIED)}
    return Outcome(status=Status.CERTIFIED, lhs=worst, rhs=0.0, tolerance=TOL.solver, instances_tried=len(cases),
                   instances_applicable=len(cases), details=details)
