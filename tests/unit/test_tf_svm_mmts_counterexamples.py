"""The s3-fix findings on the MMTS p and joint (v, p) claims stay true: the counterexample to the recalled global
hypotheses, the derived condition that excludes it, and the underflow that froze joint NGD."""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.tf_svm.ladders import NGD
from attnlab.proofs_checks.tf_svm.mmts_joint import strict_relax_instance
from attnlab.proofs_checks.tf_svm.mmts_prompt import constraint_rows, global_hypotheses, small_start
from attnlab.proofs_checks.tf_svm.prompt_families import (
    PromptDraw,
    all_support_instance,
    random_prompt_instance,
)
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_p, run_gd_vp
from attnlab.theory.tf_svm.attention_loss import LOSSES, RESCALED_LOGISTIC
from attnlab.theory.tf_svm.attention_model import optimal_tokens
from attnlab.theory.tf_svm.attention_svm import solve_head_svm, solve_prompt_svm

_COUNTEREXAMPLE = PromptDraw(random_prompt_instance(3, 2, 7, 5, seed=261), None, 261)


def test_the_seed_261_instance_meets_the_recalled_global_hypotheses_but_not_the_derived_one():
    assert global_hypotheses(_COUNTEREXAMPLE, True, non_obtuse=False) == []
    assert global_hypotheses(_COUNTEREXAMPLE, True) == [
        "two constraint rows k_opt - k_t form an obtuse angle (derived condition)"]


def test_ngd_on_the_seed_261_instance_drops_an_optimal_token_and_the_gap_to_p_mm_grows_with_the_run():
    inst = _COUNTEREXAMPLE.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    p_mm = solve_prompt_svm(inst.keys, opt).W
    gaps, finals = [], []
    for steps in (500, 1500, 3000):
        res = run_gd_p(inst.keys, inst.X, inst.v, inst.Y, small_start(_COUNTEREXAMPLE), GdConfig(steps=steps, eta=0.1))
        gaps.append(1 - correlation(res.W, p_mm))
        finals.append(res.W)
    assert gaps[0] > 0.5 and gaps[0] <= gaps[1] <= gaps[2]
    selected = np.argmax(np.einsum("ntd,d->nt", inst.keys, finals[-1]), axis=1)
    assert opt.tolist() == [0, 1, 0] and selected.tolist() == [1, 1, 0]
    assert 1 - correlation(finals[-1], solve_prompt_svm(inst.keys, selected).W) <= TOL.direction.allowance(1.0)


def test_the_non_obtuse_all_support_family_meets_every_global_hypothesis():
    for shape in ((2, 3, 5, 7), (3, 2, 7, 5), (2, 4, 7, 6)):
        inst = all_support_instance(*shape, seed=5, equal_scores=True, non_obtuse=True)
        opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
        rows = constraint_rows(inst.keys, opt)
        assert (rows @ rows.T).min() > 0
        assert global_hypotheses(PromptDraw(inst, None, 5), True) == []


def test_rescaled_logistic_derivative_is_the_logistic_one_up_to_a_positive_factor_per_instance():
    u = np.array([[0.3, -1.2, 4.0], [800.0, 760.0, 900.0]])
    plain, scaled = LOSSES["logistic"].deriv(u), RESCALED_LOGISTIC.deriv(u)
    ratio = scaled[0] / plain[0]
    assert np.all(ratio > 0) and is_constant(ratio)
    assert np.all(plain[1] == 0) and np.all(scaled[1] < 0) and scaled[1].min() == -1.0


def is_constant(x) -> bool:
    return bool(np.all(np.abs(x - x[0]) <= TOL.float64_exact.allowance(abs(x[0]))))


def test_plain_joint_ngd_freezes_on_underflow_where_the_rescaled_run_keeps_closing_the_gap():
    jd = strict_relax_instance(5, 3, 7, seed=497)
    alpha = np.zeros(5, dtype=int)
    relax = ~solve_head_svm(jd.X, jd.Y, alpha).support[:, 0]
    p_relax = solve_prompt_svm(jd.X, alpha, relax=relax).W
    rng = np.random.default_rng(jd.seed)
    p0, v0 = rng.normal(size=7), rng.normal(size=7)
    plain = run_gd_vp(jd.X, 10 * jd.X, jd.Y, p0, v0, NGD)
    assert plain.stopped_by == "zero-gradient" and 1 - correlation(plain.W, p_relax) > TOL.direction.allowance(1.0)
    gaps = [1 - correlation(run_gd_vp(jd.X, 10 * jd.X, jd.Y, p0, v0, GdConfig(steps=k, eta=0.1),
                                      RESCALED_LOGISTIC).W, p_relax) for k in (500, 1500)]
    assert gaps[1] < gaps[0] <= TOL.direction.allowance(1.0)
