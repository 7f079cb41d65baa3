r"""The rank of a solver output: $\#\{k : \sigma_k > \mathrm{rtol}\cdot\sigma_1\}$ with ``TOL.rank``.

Relative to the largest singular value and above the solver's own tolerance, so solver residue (~1e-8
relative) never counts and the count does not change when the data are scaled (the official figure's
absolute ``matrix_rank(W, tol=1e-7)`` does).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory._tolerances import TOL

__all__ = ["relative_rank"]


def relative_rank(W: np.ndarray) -> int:
    """#{sigma_k > TOL.rank * sigma_1} of ``W``; 0 for the zero matrix."""
    s = np.linalg.svd(np.asarray(W, dtype=float), compute_uv=False)
    return int(np.sum(s > TOL.rank.allowance(s[0]))) if s.size and s[0] > 0 else 0
