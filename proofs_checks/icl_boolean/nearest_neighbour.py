r"""The nearest-neighbour task is consistent (derived from the official
``NearestNeighbours.evaluate`` in satwik77/incontext-bool ``src/bool_tasks.py``: ``DERIVATIONS.md#nearest-neighbour-rule``).

From ``start_idx`` on, every label equals the label of the nearest earlier point (Hamming distance, ties to
the earliest index), so the generating rule scores 1 there (the official NNCosine baseline); and the labels
are invariant under a permutation of the coordinates (same permutation for all points of a prompt, same
random initial labels). lhs = number of violations, rhs = 0.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.icl_boolean.instances import Prompts, prompts
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.icl_boolean import predict_packed
from attnlab.theory.icl_boolean._bits import pack_bool, popcount, random_points, unpack_bool
from attnlab.theory.icl_boolean.tasks import nearest_neighbour_labels


def _latest_tie_labels(xp, n, start_idx, rng):
    """Planted bug: ties between equally near earlier points go to the *latest* one."""
    B, N = xp.shape
    D = popcount(xp[:, :, None] ^ xp[:, None, :])
    D = np.where((np.arange(N)[None, :] < np.arange(N)[:, None])[None], D, n + 1)
    nn = N - 1 - np.argmin(D[:, :, ::-1], axis=2)
    y = np.where(rng.random((B, N)) < 0.5, np.int8(1), np.int8(-1))
    rows = np.arange(B)
    for i in range(1, N):
        copy = (D[:, i].min(axis=1) == 0) if i < start_idx else np.ones(B, dtype=bool)
        y[:, i] = np.where(copy, y[rows, nn[:, i]], y[:, i])
    return y


def _consistency(inst: Prompts, labeller=None) -> Comparison:
    labeller = labeller or nearest_neighbour_labels  # looked up per call, so the package's current labeller is tested
    start = max(1, inst.points // 3)
    rng = np.random.default_rng(inst.seed)
    xp = random_points(rng, inst.n, (inst.batch, inst.points))
    y = labeller(xp, inst.n, start, np.random.default_rng(inst.seed + 1))
    rule = predict_packed("bayes", xp, y, inst.n, "nearest_neighbour", start_idx=start)
    bad = int((rule[:, start:] != y[:, start:]).sum())
    perm = rng.permutation(inst.n)
    xq = pack_bool(unpack_bool(xp, inst.n)[..., perm])
    bad += int((labeller(xq, inst.n, start, np.random.default_rng(inst.seed + 1)) != y).sum())
    return Comparison(float(bad), 0.0, TOL.float64_exact.allowance(0.0))


@empirical_claim(
    "icl_boolean/nearest-neighbour-consistent",
    locator="derived: proofs_checks/icl_boolean/DERIVATIONS.md#nearest-neighbour-rule",
    statement=r"from start_idx on, $y_i = y_{j^*}$ with $j^* = $ the earliest nearest earlier point; labels are "
    r"invariant under a permutation of the coordinates",
    strategy=prompts(("nearest_neighbour",), (3, 5, 7, 11), (13, 29), 64),
    check_hypotheses=lambda inst: [],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("distance ties go to the latest earlier point",
                             evaluate=lambda inst: _consistency(inst, _latest_tie_labels)),
    positive=prompts(("nearest_neighbour",), (5, 7, 11), (17, 29), 64),
    hypotheses=("start_idx >= 1", "uniform inputs"),
    test="tests/checks/test_icl_boolean_claims.py",
)
def nearest_neighbour_consistent(inst: Prompts) -> Comparison:
    return _consistency(inst)
