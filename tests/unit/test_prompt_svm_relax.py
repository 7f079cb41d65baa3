r"""The relaxed prompt SVM (``solve_prompt_svm(..., relax=...)``, MMTS $p^{relax}$): right-hand side 0 instead of 1
on the relaxed inputs, on an instance with a closed-form answer. Input $i$'s selected key is $c_i e_i$ and its
other keys are 0, so its constraints read $c_i p_i \ge 1$ (or $\ge 0$ when relaxed):
$p^{mm} = (1/c_0, 1/c_1, 1/c_2, 0, \dots)$ and relaxing input 1 sets $p_1 = 0$.

Shapes are distinct (n = 3 inputs, T = 5 tokens, d' = 7)."""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.tf_svm.attention_svm import solve_prompt_svm

C = np.array([1.0, 2.0, 4.0])


def _keys():
    keys = np.zeros((3, 5, 7))
    keys[0, 3, 0], keys[1, 1, 1], keys[2, 4, 2] = C
    return keys, (3, 1, 4)


def test_the_prompt_svm_of_axis_keys_is_one_over_each_scale():
    keys, alpha = _keys()
    sol = solve_prompt_svm(keys, alpha)
    assert sol.optimal
    assert_close(sol.p, np.array([1.0, 0.5, 0.25, 0, 0, 0, 0]), TOL.solver, "p^mm")


def test_relaxing_an_input_replaces_its_margin_one_by_margin_zero():
    keys, alpha = _keys()
    sol = solve_prompt_svm(keys, alpha, relax=np.array([False, True, False]))
    assert sol.optimal
    assert_close(sol.p, np.array([1.0, 0.0, 0.25, 0, 0, 0, 0]), TOL.solver, "p^relax")
    assert_close(sol.margins[1, [0, 2, 3, 4]], np.zeros(4), TOL.solver, "relaxed input's margins are 0")
