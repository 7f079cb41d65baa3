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

Open counterexample to this NGD proxy (not to the theorem, which is about regularisation paths under conditions
we did not read): ``random_joint_draws`` with seed 1945, shape (5, 3, 7), meets the hypotheses and ends 0.016 from
$p^{relax}$ at $\eta_v = 10\eta_p$ (0.067 at 30x, 0.16 at 100x: softmax underflow freezes it earlier). Random
instances of that family that meet the hypotheses failed at budget 20 on seeds 0 and 1 (gaps 0.016-0.039), so the
claim is stated, searched and controlled on figure B3's geometry only (``strict_relax_draws``); the random family
stays in this module (``random_joint_draws``) as the documented counterexample family of the NGD proxy. Even on
B3's geometry the proxy is borderline: ``strict_relax_draws`` with seed 2882, shape (5, 3, 7) ends 0.0103 from
$p^{relax}$ at $\eta_v = 10\eta_p$ (beyond ``TOL.direction``; a draw of it fails this claim), and the best rate
differs per draw (3x: worst 5e-3 over 12 draws, 20x: 0.033): underflow freezes the direction before the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_vp
from attnlab.theory.tf_svm.attention_svm import solve_head_svm, solve_prompt_svm

_NGD = GdConfig(steps=1500, eta=0.1)
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
    """Random relevant tokens r_i = Y_i a_i, a_i with a positive component on a random u (separable), labels
    alternating, input 0 pushed away from the v-margin (so it is likely not a support vector)."""
    n, T, d = draw(st.sampled_from(_SHAPES))
    seed = draw(st.integers(0, 10**6))
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
    the unrelaxed $p^{mm}$ differs from $p^{relax}$)."""
    n, T, d = draw(st.sampled_from(_SHAPES))
    seed = draw(st.integers(0, 10**6))
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
    res = run_gd_vp(jd.X, _HEAD_SPEED * jd.X, jd.Y, rng.normal(size=d), rng.normal(size=d), _NGD)
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
    (each factor normalised, $\eta_p = 0.1$, $\eta_v = 1$) from $p_0, v_0 \sim N(0, I)$."""
    return _joint(jd)
