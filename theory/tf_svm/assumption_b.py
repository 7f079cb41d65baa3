r"""Assumption B of TF-SVM's global-convergence theorem: in every input all non-optimal tokens score alike.

$$\forall i \in [n],\ \forall t, \tau \ne \mathrm{opt}_i:\quad \gamma_{it} = \gamma_{i\tau} < \gamma_{i\,\mathrm{opt}_i},
\qquad \gamma_{it} = Y_i v^\top x_{it}.$$

Wording and number recalled, not read (arXiv:2308.16898, only the abstract was read; tf_svm spec section 3.7).
Equality is decided with ``TOL.inequality`` at the input's score scale, so an instance built to meet it exactly
(rounding only) passes and a perturbation of relative size $10^{-6}$ does not.

Consequence used by the checks (derived, ``proofs_checks/tf_svm/DERIVATIONS.md#descent-direction``): under B,
$\langle\nabla\mathcal{L}(W), W^{mm}\rangle < 0$ at *every* $W$, so the theorem's initial-gradient condition holds
at any initialisation.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_model import token_scores

__all__ = ["assumption_b_violations"]


def assumption_b_violations(X, v, Y) -> list[str]:
    """Unmet parts of Assumption B, one reason per failing input (empty list: B holds)."""
    g = token_scores(X, v, Y)
    out = []
    for i, row in enumerate(g):
        top = int(np.argmax(row))
        rest = np.delete(row, top)
        scale = float(np.max(np.abs(row)))
        allow = TOL.inequality.allowance(scale)
        spread = float(rest.max() - rest.min())
        if row[top] - rest.max() <= allow:
            out.append(f"Assumption B: input {i} has no unique optimal token (score gap {row[top] - rest.max():.3g})")
        elif spread > allow:
            out.append(f"Assumption B: input {i}'s non-optimal scores differ by {spread:.3g} (> {allow:.3g})")
    return out
