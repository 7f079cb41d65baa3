r"""Token selection in attention_model: the optimal token and whether it is unique.

Added for a gap the mutation harness (tests/mutation) found: no instance had a tie for the top score, so a
runner-up taken as the *smallest* other score survived in ``optimal_tokens``.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.tf_svm.attention_model import optimal_tokens

N, T, D = 3, 5, 7


def test_optimal_tokens_mark_exact_and_rounding_ties_as_not_unique():
    X = np.zeros((N, T, D))
    X[0, :, 0] = [0.1, 2.0, 2.0 - 1e-6, -1.0, 0.3]  # runner-up 1e-6 below: unique
    X[1, :, 0] = [1.5, 0.2, 1.5, -0.3, 0.0]  # exact tie: not unique
    X[2, :, 0] = [0.4, 1.0, -2.0, -2.0 * (1 - 1e-16), 0.0]  # Y = -1; tie within rounding: not unique
    v, Y = np.eye(D)[0], np.array([1.0, 1.0, -1.0])
    opt, unique = optimal_tokens(X, v, Y)
    assert opt.tolist()[0] == 1 and opt.tolist()[1] in (0, 2) and opt.tolist()[2] in (2, 3)
    assert unique.tolist() == [True, False, False]

