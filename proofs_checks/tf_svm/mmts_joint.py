r"""MMTS joint training of the head $v$ and the prompt $p$ (logistic loss): $v \to v^{mm}$ and $p \to p^{relax}$.

MMTS abstract: "When optimizing v and p simultaneously with logistic loss, we identify conditions under which the
regularization paths directionally converge to their respective hard-margin SVM solutions where v separates the
input features based on their labels. Interestingly, the SVM formulation of p is influenced by the support vector
geometry of v." The conditions were not read. Checked here as the paper's own experiment checks it (figure B3:
joint normalised GD, each factor normalised separately), on the data model of that experiment: each input holds one
relevant token and zero tokens, keys = values = X.

* $v^{mm} = \arg\min\|v\|$ s.t. $Y_i v^\top r_i \ge 1$ (relevant tokens $r_i$);
* $p^{relax} = \arg\min\|p\|$ s.t. $r_i^\top p \ge 1$ for the support inputs of $v^{mm}$, $\ge 0$ for the rest.

Hypothesis we added (derived, ``DERIVATIONS.md#joint-relax-strict``): every relaxed constraint is *strict* at
$p^{relax}$ ($r_i^\top p^{relax} > 0$). Measured: where a relaxed constraint is active at 0 the relevant token of
that input keeps softmax weight bounded below 1, $v$ then sees $s_{i}r_i$ instead of $r_i$, and joint NGD ended
0.16 from $v^{mm}$ (v) or 0.026-0.18 from $p^{relax}$ (p) on 4 of 7 random instances; the instances with strict
relaxed constraints converged there (gaps <= 3e-4).

Finding (rates): with equal normalised steps on v and p (the paper's B3 procedure) joint NGD on our positive family
(B3's geometry with random sizes, d = 5, 7) ended 0.007-0.07 from $p^{relax}$ on 6 of 12 draws, frozen there by
underflow (4000 steps change nothing); the paper's own 2-D toy converges. When the head's scores grow 10x faster
($\eta_v = 10\,\eta_p$) all 12 end within 6e-3 of $p^{relax}$ and 3.4e-3 of $v^{mm}$; 10x slower, 4 of 12 select
the wrong tokens (gap > 1). So the limit $p^{relax}$ (right-hand side 0 on inputs that are not support vectors of
$v$) needs $\|v\|$ to outgrow $\|p\|$: with equal rates an input's extra v-margin enters p's constraint as a finite
offset instead (our reading; ``DERIVATIONS.md#joint-relax-strict``). The claim runs $\eta_v = 10\,\eta_p$.

Underflow artefact, fixed: the plain logistic derivative $\ell'(u) = -e^{-u}$ rounds to 0 once every
$u_i > 745$ (here after ~300 steps, $\|v\| \approx 25$ on values scaled 10x), both gradients vanish and NGD froze
with the gap still falling. ``strict_relax_draws`` seed 497, shape (5, 3, 7) froze at step 274 with gap 0.0124
(the budget-200 failure), seed 2882 at 0.0103. The check now runs NGD with
:data:`attnlab.theory.tf_svm.attention_loss.RESCALED_LOGISTIC` ($\ell'(u_i)/\max_j|\ell'(u_j)|$, the same NGD
iterates in exact arithmetic): seed 497 then falls 1.24e-2 (step 274), 4.2e-3 (500), 1.2e-3 (1000), 5.3e-4 (1500),
1.3e-4 (3000); seed 2882 ends at 5.4e-4; the 12 draws of the rate finding end within 1.6e-4 of $v^{mm}$ and
1.5e-4 of $p^{relax}$ at $\eta_v = 10\eta_p$ (equal rates: up to 0.139, and rising with the run on the worst draw:
0.133, 0.139, 0.140 at 500, 1500, 3000 steps, so the rate finding above is not an underflow artefact; its
regression test still runs the plain derivative).

Random family (``random_joint_draws``): the earlier counterexample seed 1945, shape (5, 3, 7), gap 0.016, was the
same underflow (1.9e-4 with the rescaled derivative). The family still fails, for the rate reason instead: its
non-support input can sit just off the v-margin, e.g. shape (3, 2, 5), seed 7972, $m_j = 1.018$: gap to
$p^{relax}$ 0.094, 0.152, 0.168 at 500, 1500, 3000 steps (rising; at a fixed rate ratio the discount
$e^{-\|v\|(m_j - 1)/\|v^{mm}\|}$ of that input's constraint stays a finite offset). So the claim stays on figure
B3's geometry, where $m_j \ge 1.3$ by construction; the random family remains the documented counterexample
family of the fixed-rate NGD proxy (not of the theorem, which is about regularisation paths).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.tf_svm.ladders import NGD
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import run_gd_vp
from attnlab.theory.tf_svm.attention_loss import RESCALED_LOGISTIC
from attnlab.theory.tf_svm.attention_svm import solve_head_svm, solve_prompt_svm

#: the head's step relative to the prompt's: values scaled by 10 make NGD on v move the scores 10x faster than NGD
#: on p moves the logits (equivalent to eta_v = 1, eta_p = 0.1 on the unscaled model; v^mm's direction is unchanged)
_HEAD_SPEED = 10.0
#: (n, T, d): n inputs, one relevant token + (T - 1) zero tokens each
_SHAPES = ((3, 2, 5), (5, 3, 7))


@dataclass(frozen=True)
class JointDraw:
    """Tokens X (n, T, d) with one relevant token per input (index 0), labels Y, a seed for the initialisation."""

    X: np.ndarray
    Y: np.ndarray
    seed: int


def _basis(d, rng):
    Qm, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return Qm.T  # rows: orthonormal u, q, then the rest


@st.composite
def random_joint_draws(draw) -> JointDraw:
    """Draws of :func:`random_joint_instance`."""
    n, T, d = draw(st.sampled_from(_SHAPES))
    return random_joint_instance(n, T, d, draw(st.integers(0, 10**6)))


def random_joint_instance(n: int, T: int, d: int, seed: int) -> JointDraw:
    """Random relevant tokens r_i = Y_i a_i, a_i with a positive component on a random u (separable), labels
    alternating, input 0 pushed away from the v-margin (so it is likely not a support vector)."""
    rng = np.random.default_rng(seed)
    u = _basis(d, rng)[0]
    a = rng.normal(size=(n, d))
    a += (rng.uniform(0.5, 1.5, size=n) - a @ u)[:, None] * u
    a[0] += u
    Y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = np.zeros((n, T, d))
    X[:, 0] = Y[:, None] * a
    return JointDraw(X, Y, seed)


@st.composite
def strict_relax_draws(draw) -> JointDraw:
    r"""Positive family, figure B3's geometry with random sizes in d dimensions (orthonormal u, q, z-directions):
    pairs $r_\pm = \pm\rho u + h q + z$ with labels $\pm 1$ (both support vectors of $v^{mm} = u/\rho$, both
    active at $p^{relax} = (hq + z)/(h^2 + \|z\|^2)$), and one input with label +1 and $r = \rho' u + h' q$,
    $\rho' > \rho$ (not a support vector of $v$), $0 < h' h/(h^2 + \|z\|^2) < 1$ (relaxed constraint strict, and
    the unrelaxed $p^{mm}$ differs from $p^{relax}$): draws of :func:`strict_relax_instance`."""
    n, T, d = draw(st.sampled_from(_SHAPES))
    return strict_relax_instance(n, T, d, draw(st.integers(0, 10**6)))


def strict_relax_instance(n: int, T: int, d: int, seed: int) -> JointDraw:
    """One instance of :func:`strict_relax_draws`."""
    rng = np.random.default_rng(seed)
    B = _basis(d, rng)
    u, q = B[0], B[1]
    rho, h = rng.uniform(0.5, 1.5, size=2)
    X = np.zeros((n, T, d))
    Y = np.ones(n)
    for k in range((n - 1) // 2):
        z = 0.3 * rng.normal(size=d - 2) @ B[2:]
        X[2 * k, 0], X[2 * k + 1, 0] = rho * u + h * q + z, -rho * u + h * q + z
        Y[2 * k + 1] = -1.0
    zn = float(np.max([np.sum((X[k, 0] - h * q - Y[k] * rho * u) ** 2) for k in range(n - 1)]))
    X[n - 1, 0] = rho * rng.uniform(1.3, 2.0) * u + h * rng.uniform(0.2, 0.7) * q * h**2 / (h**2 + zn)
    return JointDraw(X, Y, seed)


def _svms(jd: JointDraw):
    n = jd.X.shape[0]
    alpha = np.zeros(n, dtype=int)
    hv = solve_head_svm(jd.X, jd.Y, alpha)
    if not hv.optimal:
        return hv, None, None
    relax = ~hv.support[:, 0]
    return hv, relax, solve_prompt_svm(jd.X, alpha, relax=relax)


def _hypotheses(jd: JointDraw) -> list[str]:
    if np.any(np.abs(jd.X[:, 1:]) > 0):
        return ["an input has more than one nonzero token"]
    hv, relax, pr = _svms(jd)
    if not hv.optimal:
        return [f"v-SVM status {hv.status}"]
    if not pr.optimal:
        return [f"p^relax status {pr.status}"]
    m = jd.X[:, 0] @ pr.W
    if np.any(m[relax] <= TOL.margin.allowance(1.0)):
        return ["a relaxed constraint is active at p^relax (r_i^T p^relax = 0)"]
    return []


def _joint(jd: JointDraw, relaxed: bool = True) -> Comparison:
    hv, relax, pr = _svms(jd)
    target = pr.W if relaxed else solve_prompt_svm(jd.X, np.zeros(jd.X.shape[0], dtype=int)).W
    rng = np.random.default_rng(jd.seed)
    d = jd.X.shape[2]
    # the logistic derivative rescaled per step (same NGD iterates): plain l'(u) underflows to 0 at u > 745 and froze
    # the run after ~300 steps with the gap still falling (DERIVATIONS.md#joint-relax-strict)
    res = run_gd_vp(jd.X, _HEAD_SPEED * jd.X, jd.Y, rng.normal(size=d), rng.normal(size=d), NGD, RESCALED_LOGISTIC)
    gap = max(1.0 - correlation(res.v, hv.W), 1.0 - correlation(res.W, target))
    return Comparison(float(gap), 0.0, TOL.direction.allowance(1.0))


@empirical_claim(
    "tf_svm/mmts-joint-v-p-relax",
    locator="unverified: arXiv:2306.13596v4 abstract ('When optimizing v and p simultaneously with logistic loss, we "
            "identify conditions under which the regularization paths directionally converge to their respective "
            "hard-margin SVM solutions ... the SVM formulation of p is influenced by the support vector geometry of "
            "v'); the conditions and theorem number were not read; checked with joint normalised GD as in the "
            "paper's joint-training experiment, not on the regularisation path",
    provenance="unverified",
    statement=r"figure B3's geometry (pairs of support inputs, one input off the v-margin; one relevant token per input, zero tokens elsewhere), relaxed constraints strict at $p^{relax}$: joint NGD on $(v, p)$ with $\eta_v = 10\eta_p$ gives $v_k/\|v_k\| \to v^{mm}/\|v^{mm}\|$ and $p_k/\|p_k\| \to p^{relax}/\|p^{relax}\|$",
    hypotheses=("one nonzero (relevant) token per input", "v-SVM and p^relax feasible",
                "relaxed constraints strict at p^relax (derived)"),
    strategy=strict_relax_draws(), positive=strict_relax_draws(), check_hypotheses=_hypotheses,
    tolerance=TOL.direction,
    negative=NegativeControl("p's prediction ignores the support-vector geometry of v (unrelaxed p^mm)",
                             evaluate=lambda jd: _joint(jd, relaxed=False)),
)
def mmts_joint_v_p(jd: JointDraw) -> Comparison:
    r"""$\max(1 - \mathrm{corr}(v_{1500}, v^{mm}),\ 1 - \mathrm{corr}(p_{1500}, p^{relax}))$ after joint NGD
    (each factor normalised, $\eta_p = 0.1$, $\eta_v = 1$; logistic derivative rescaled per step, which leaves the NGD
    iterates unchanged and keeps them from freezing on underflow) from $p_0, v_0 \sim N(0, I)$."""
    return _joint(jd)
