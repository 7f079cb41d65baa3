r"""The predecessor paper's (MMTS) toy instances with exact SVM solutions (arithmetic derived in
``proofs_checks/tf_svm/DERIVATIONS.md#mmts-toys``;
printed cvxopt objectives src: MMTS notebooks). Each solution is verified in rationals by its KKT system
on the active set (lambda >= 0, all margins >= 1) and matched by the certified Clarabel solve.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL, max_violation
from attnlab.theory.tf_svm.attention_svm import key_differences, solve_prompt_svm
from attnlab.theory.tf_svm.attention_svm_exact import exact_kkt_on_support
from attnlab.theory.tf_svm.examples import mmts_joint, mmts_loss_comparison, mmts_single_input

sp = lazy_module("sympy")


def R(*args):  # sympy.Rational, imported on first use
    return sp.Rational(*args)


def _cases(mutant: bool):
    """(name, instance, alpha, support rows, expected exact p)."""
    pa = (R(-10, 101), R(100, 101)) if not mutant else (R(-1, 10), R(1))  # mutant: unnormalised (-0.1, 1)
    yield "single_input alpha=a", mmts_single_input(0.9), (0,), [1], pa
    yield "single_input alpha=b", mmts_single_input(0.9), (1,), [1], (R(1), R(0))
    yield "joint tight", mmts_joint(True), (1, 1, 1), [1, 2], (R(4, 3), R(1, 3))
    for C in (1, 10, 100):
        yield f"loss_comparison C={C}", mmts_loss_comparison(C), (1, 1), [0, 1], (R(1), R(0))


@claim(
    "tf_svm/mmts-toy-exact-solutions",
    locator="derived: proofs_checks/tf_svm/DERIVATIONS.md#mmts-toys (instances and printed objectives from the ucr-optml/max_margin_attention "
            "notebooks of MMTS, arXiv:2306.13596)", kind="certified", provenance="derived",
    statement=r"MMTS toys: $p^{mm}_a = (-0.1, 1)/1.01$, $p^{mm}_b = (1, 0)$, joint $p^{mm} = (4/3, 1/3)$, loss example $p^{mm} = (1, 0)$ for all C",
    negative="expected p^mm_a unnormalised: (-0.1, 1)",
)
def mmts_toys(budget: Budget, mutant: bool) -> Outcome:
    details, worst = {}, 0.0
    for name, inst, alpha, support, expected in _cases(mutant):
        rows = key_differences(inst.keys, np.array(alpha)).reshape(-1, inst.keys.shape[2])
        kkt = exact_kkt_on_support(rows, support)
        exact_ok = kkt.ok and list(kkt.w) == list(expected)
        sol = solve_prompt_svm(inst.keys, alpha)
        num = max_violation(sol.W, np.array(expected, dtype=float), TOL.solver) if sol.optimal else np.inf
        details[name] = {"exact_kkt_ok": kkt.ok, "w": [str(x) for x in kkt.w], "solver_status": sol.status,
                         "duals": [str(x) for x in kkt.lam]}
        worst = max(worst, num)
        if not exact_ok or num > 0:
            return Outcome(status=Status.FAILED, lhs=num, rhs=0.0, tolerance=TOL.solver, allowance=None, instances_tried=len(details), instances_applicable=len(details),
                           worst_instance={"case": name}, reasons=(f"{name}: exact {list(kkt.w)} vs expected {list(expected)}",), details=details)
    return Outcome(status=Status.CERTIFIED, lhs=worst, rhs=0.0, tolerance=TOL.solver, allowance=None, instances_tried=len(details), instances_applicable=len(details), details=details)
