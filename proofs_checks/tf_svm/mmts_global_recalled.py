r"""Report: how often NGD on $p$ reaches $p^{mm}$ under MMTS's global hypotheses *as we recall them* (every
non-optimal token a support token of $p^{mm}$, equal non-optimal scores), and where it goes otherwise.

``tf_svm/mmts-p-global-gd`` asserts global convergence only with an added, derived condition (pairwise non-obtuse
constraint rows, ``DERIVATIONS.md#mmts-global-condition``) because the recalled hypotheses alone have a
counterexample: ``random_prompt_instance(3, 2, 7, 5, seed=261)`` meets both and NGD/GD select
$\alpha = (1, 1, 0) \ne \mathrm{opt} = (0, 1, 0)$ (gap to $p^{mm}$ 0.513 and rising with the run). The paper's
exact conditions were not read. This report keeps that finding visible: over instances meeting the recalled
hypotheses it measures the fraction whose NGD limit is $p^{mm}$ (``details["fraction_reaching_p_mm"]``), and it
*checks* what the abstract states for every run: the final selection $\alpha$ is locally optimal and $p_k$ is aligned
with $p^{mm}_\alpha$ ("converges in direction to a max-margin solution that separates locally-optimal tokens from
non-optimal ones").
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm import prompt_families as F
from attnlab.proofs_checks.tf_svm.ladders import NGD
from attnlab.proofs_checks.tf_svm.mmts_prompt import global_hypotheses, small_start
from attnlab.proofs_checks.tf_svm.strategies import Diagnostics
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import run_gd_p
from attnlab.theory.tf_svm.attention_model import optimal_tokens
from attnlab.theory.tf_svm.attention_svm import locally_optimal_prompt, solve_prompt_svm


class _PromptDiagnostics(Diagnostics):
    @staticmethod
    def key(d: F.PromptDraw) -> tuple:
        return (d.inst.name, d.alpha, d.seed)


_MEMO = _PromptDiagnostics()


def _run(pd: F.PromptDraw, flip_constraints: bool):
    inst = pd.inst
    res = run_gd_p(inst.keys, inst.X, inst.v, inst.Y, small_start(pd), NGD)
    alpha = np.argmax(np.einsum("ntd,d->nt", inst.keys, res.W), axis=1)
    lo = locally_optimal_prompt(inst.keys, inst.X, inst.v, inst.Y, alpha)
    # mutant: the prediction's prompt SVM with its constraint sign flipped, (k_it - k_{i alpha_i})^T p >= 1
    target = solve_prompt_svm(-inst.keys, alpha) if flip_constraints else lo.svm
    gap = 1.0 - correlation(res.W, target.W) if target.optimal else np.inf
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    diag = {"instance": inst.name, "alpha": alpha.tolist(), "opt": opt.tolist(),
            "alpha_is_opt": bool(np.array_equal(alpha, opt)), "local_optimality": lo.status,
            "gap_to_p_alpha": gap, "gap_to_p_mm": float(1.0 - correlation(res.W, solve_prompt_svm(inst.keys, opt).W)),
            "stopped_by": res.stopped_by}
    return Comparison(gap if lo.is_locally_optimal else np.inf, 0.0, TOL.direction.allowance(1.0)), diag


def _eval(pd: F.PromptDraw, flip_constraints: bool = False) -> Comparison:
    return _MEMO.run(pd, lambda x: _run(x, flip_constraints))[0]


def _summary(diags: list[dict]) -> dict:
    misses = [g for g in diags if not g["alpha_is_opt"]]
    return {"runs": len(diags), "fraction_reaching_p_mm": 1.0 - len(misses) / len(diags),
            "runs_selecting_another_alpha": [{k: g[k] for k in ("instance", "alpha", "opt", "gap_to_p_mm")}
                                             for g in misses[:5]]}


@empirical_claim(
    "tf_svm/mmts-p-global-gd-recalled",
    locator="unverified: arXiv:2306.13596v4 abstract ('converges in direction to a max-margin solution that separates "
            "locally-optimal tokens from non-optimal ones'); the global hypotheses are recalled, not read; checked "
            "with normalised GD",
    provenance="unverified",
    kind="report",
    statement=r"every non-optimal token a support token of $p^{mm}$, equal non-optimal scores (recalled) $\Rightarrow$ NGD on $p$ from a small random $p_0$ ends on a locally optimal $\alpha$ with $p_k/\|p_k\| \to p^{mm}_\alpha/\|p^{mm}_\alpha\|$; measured: the fraction with $\alpha = \mathrm{opt}$",
    hypotheses=("unique optimal tokens", "p-SVM(opt) feasible", "all non-optimal tokens are support tokens",
                "equal non-optimal scores (Assumption B)"),
    strategy=st.one_of(F.prompt_draws(), F.recalled_global_draws()), positive=F.recalled_global_draws(),
    check_hypotheses=lambda pd: global_hypotheses(pd, True, non_obtuse=False),
    tolerance=TOL.direction, summarize=lambda found: _MEMO.summary(found, _summary),
    negative=NegativeControl("the prediction's prompt SVM with its constraint sign flipped",
                             evaluate=lambda pd: _eval(pd, flip_constraints=True)),
)
def mmts_p_global_gd_recalled(pd: F.PromptDraw) -> Comparison:
    r"""$1 - \mathrm{corr}(p_{1500}, p^{mm}_\alpha)$, $\alpha$ the final selection; $\infty$ unless $\alpha$ is locally
    optimal. ``details``: the fraction of runs with $\alpha = \mathrm{opt}$ and up to 5 runs that selected another
    $\alpha$ (the counterexamples to the recalled global statement)."""
    return _eval(pd)
