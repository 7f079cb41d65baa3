"""The head SVM ``solve_head_svm`` (MMTS: $v^{mm} = \\arg\\min\\|v\\|$ s.t. $Y_i v^\\top x_{i\\alpha_i} \\ge 1$) on an
instance whose answer is known in closed form: every selected token, signed by its label, is $u$ plus a part
orthogonal to $u$ ($u \\pm w$, or $3u$), so $v^{mm} = u/\\|u\\|^2$ and exactly the inputs with margin 1 are support vectors.

Shapes are distinct (n = 3 inputs, T = 5 tokens, d = 7)."""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL, assert_close
from attnlab.theory.tf_svm.attention_svm import solve_head_svm


def _instance():
    rng = np.random.default_rng(0)
    n, T, d = 3, 5, 7
    u = rng.normal(size=d)
    X = rng.normal(size=(n, T, d))
    Y = np.array([1.0, -1.0, 1.0])
    alpha = np.array([2, 0, 4])
    w = rng.normal(size=d)
    w -= (w @ u) / (u @ u) * u  # orthogonal to u
    signed = np.stack([u + w, u - w, 3.0 * u])  # Y_i x_{i alpha_i}: u is the mean of the first two
    X[np.arange(n), alpha] = Y[:, None] * signed
    return X, Y, alpha, u


def test_the_head_svm_is_u_over_its_squared_norm_with_the_margin_one_inputs_as_support():
    X, Y, alpha, u = _instance()
    sol = solve_head_svm(X, Y, alpha)
    assert sol.optimal and sol.certificate.ok
    assert_close(sol.p, u / (u @ u), TOL.svm_scale, "v^mm")
    # column 0 holds the n constraints (the docstring says shape (n, 1); the grid has a placeholder column 1)
    assert sol.margins.shape[0] == sol.duals.shape[0] == sol.support.shape[0] == 3
    assert_close(sol.margins[:, 0], np.array([1.0, 1.0, 3.0]), TOL.solver, "margins Y_i v^T x_i")
    assert sol.support[:, 0].tolist() == [True, True, False]
    assert sol.duals[2, 0] == 0.0 and np.all(sol.duals[:2, 0] > 0)
    assert_close(sol.objective, 1 / np.linalg.norm(u), TOL.solver, "||v^mm||")


def test_flipping_a_label_with_its_token_leaves_the_head_svm_unchanged_and_flipping_only_the_label_changes_it():
    X, Y, alpha, u = _instance()
    X2, Y2 = X.copy(), Y.copy()
    X2[1, alpha[1]] *= -1.0
    Y2[1] *= -1.0
    assert_close(solve_head_svm(X2, Y2, alpha).p, u / (u @ u), TOL.svm_scale, "same signed tokens")
    Y3 = Y.copy()
    Y3[1] *= -1.0
    flipped = solve_head_svm(X, Y3, alpha)
    assert not (flipped.optimal and np.allclose(flipped.p, u / (u @ u), rtol=1e-3))
