r"""Every limit of GD is a locally optimal max-margin direction (TF-SVM, recalled: over-parameterisation gives a
landscape without finite stationary points, and any limit direction of GD is $W^{mm}_\alpha$ for a locally optimal
$\alpha$). Theorem number and wording unverified (only the abstract was read).

From a random start $W_0$ with entries $\sim N(0, 1/d)$ (not near any $W^{mm}_\alpha$), normalised GD ($\eta = 0.1$, the
official experiments' method) runs in chunks of 1500 steps until $\alpha_i := \arg\max_t s_{it}$ is the same after two
chunks and within ``TOL.direction`` of $W^{mm}_\alpha$ (at most 6000 steps); the check then requires
(i) $\alpha$ locally optimal (:func:`attnlab.theory.tf_svm.attention_svm.locally_optimal`: its Att-SVM is feasible
and every support token scores below the selected one) and (ii) $1 - \mathrm{corr}(W_{\mathrm{end}}, W^{mm}_\alpha) \le$
``TOL.direction``. Reading $\alpha$ off the final iterate makes (ii) partly self-fulfilling (tf_svm spec, pitfall 6);
(i) is not: a limit in the direction of a non-locally-optimal $\alpha$ fails it.

Finding (seed 2, budget 100, with a single 1500-step run): on random(n=2,T=5,d=7,seed=324), $Y = (-1, 1)$, NGD
from seed 0 spent steps 100-800 along another direction (gap 0.53 to the final $W^{mm}_\alpha$, $\alpha$'s margins
negative), then turned and was still converging at step 1500 ($1 - \mathrm{corr}$ = 0.107, falling 0.04 per 100
steps): a slow escape from a transient direction, not a limit at a non-locally-optimal $\alpha$; hence the chunks.

Hypothesis: $d \ge \max(T - 1, n)$ (over-parameterised: every Att-SVM feasible for unit tokens and no finite
stationary point, so the run has a limit direction to read). Positive family: the official generator at such shapes
(scores in general position with probability 1), labels random with $Y_0 = -1$.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.proofs_checks.tf_svm.ladders import NGD
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import batched_gd_w
from attnlab.theory.tf_svm.attention_model import attention_logits, optimal_tokens
from attnlab.theory.tf_svm.attention_svm import locally_optimal

_CHUNKS = 4  # at most 6000 NGD steps
_MEMO = S.Diagnostics()


def _hyp(d: S.Drawn) -> list[str]:
    n, T, dim = d.inst.shape
    if dim < max(T - 1, n):
        return [f"under-parameterised: d = {dim} < max(T - 1, n) = {max(T - 1, n)}"]
    return []


def _ngd_until_settled(inst, W0: np.ndarray):
    """NGD in chunks of 1500 steps (at most ``_CHUNKS``): after each chunk read alpha = argmax of the softmax and the
    gap to W^mm_alpha; stop once alpha is the same as after the previous chunk and the gap is within the tolerance
    (or the gradient underflowed). Returns ``(W, alpha, argmax after each chunk, why it stopped)``."""
    W, prev, path = W0, None, []
    for _ in range(_CHUNKS):
        res = batched_gd_w(inst.X[None], inst.Z[None], inst.v[None], inst.Y[None], W[None], NGD)
        W = res.W[0]
        alpha = np.argmax(attention_logits(inst.X, W, inst.Z), axis=1)
        path.append(alpha.tolist())
        lo = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, alpha)
        gap = 1.0 - correlation(W, lo.svm.W) if lo.svm.optimal else np.inf
        settled = prev is not None and path[-1] == prev and gap <= TOL.direction.allowance(1.0)
        if settled or res.stopped_by[0] != "steps":
            return W, alpha, path, res.stopped_by[0]
        prev = path[-1]
    return W, alpha, path, "chunks"


def _run(d: S.Drawn, drop_labels: bool):
    inst = d.inst
    dim = inst.shape[2]
    W0 = np.random.default_rng(d.seed).normal(size=(dim, dim)) / np.sqrt(dim)
    W, alpha, path, why = _ngd_until_settled(inst, W0)
    Y = np.ones_like(inst.Y) if drop_labels else inst.Y  # mutant: local optimality judged without the labels
    lo = locally_optimal(inst.X, inst.Z, inst.v, Y, alpha)
    gap = 1.0 - correlation(W, lo.svm.W) if lo.svm.optimal else np.inf
    lhs = gap if lo.is_locally_optimal else np.inf
    diag = {"alpha": alpha.tolist(), "alpha_is_opt": bool(np.array_equal(alpha, optimal_tokens(inst.X, inst.v, inst.Y)[0])),
            "local_optimality": lo.status, "violations": lo.violations, "one_minus_corr": gap,
            "norm_W": float(np.linalg.norm(W)), "norm_W0": float(np.linalg.norm(W0)),
            "argmax_after_each_chunk": path, "stopped_by": why}
    return Comparison(lhs, 0.0, TOL.direction.allowance(1.0)), diag


def _eval(d: S.Drawn, drop_labels: bool = False) -> Comparison:
    return _MEMO.run(d, lambda x: _run(x, drop_labels))[0]


def _summary(diags: list[dict]) -> dict:
    return {"limit_statuses": sorted({g["local_optimality"] for g in diags}),
            "limits_at_non_optimal_alpha": sum(1 for g in diags if not g["alpha_is_opt"]), "runs": len(diags)}


@empirical_claim(
    "tf_svm/convergence-limit-locally-optimal",
    locator="unverified: arXiv:2308.16898 abstract, point (1) ('it can occur in locally-optimal directions rather than "
            "global ones') and point (2) ('over-parameterization ... guaranteeing a benign optimization landscape "
            "devoid of stationary points'); the theorem's number and exact hypotheses were not read; checked with "
            "normalised GD from random starts",
    provenance="unverified",
    statement=r"$d \ge \max(T-1, n)$, NGD from a random $W_0$ $\Rightarrow$ the limit direction is $W^{mm}_\alpha$ with $\alpha = \arg\max_t s_{it}(W_\infty)$ locally optimal ($\le$ 6000 steps, until the argmax is stable and $1 - \mathrm{corr} \le$ tolerance)",
    hypotheses=("d >= max(T - 1, n)",),
    strategy=S.labelled_instances(), positive=S.labelled_instances(),
    check_hypotheses=_hyp, tolerance=TOL.direction,
    negative=NegativeControl("local optimality judged on token scores computed without the labels Y",
                             evaluate=lambda d: _eval(d, True)),
    summarize=lambda found: _MEMO.summary(found, _summary), evaluation_cap=60,
)
def limit_locally_optimal(d: S.Drawn) -> Comparison:
    r"""$1 - \mathrm{corr}(W_{\mathrm{end}}, W^{mm}_\alpha)$, $\alpha$ read off the final softmax; $\infty$ unless $\alpha$
    is locally optimal. Cost: ~0.3 s per instance (two NGD chunks + Att-SVM solves); at most 60 per run."""
    return _eval(d)
