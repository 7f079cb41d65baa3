r"""The loss landscape: Assumption A, the infimum $\mathcal{L}^\star$ is not attained but approached along
$R\,W^{mm}$, and no finite stationary point under over-parameterisation (statements
unverified, arguments derived: ``proofs_checks/tf_svm/DERIVATIONS.md``).
"""

from __future__ import annotations

import itertools

import numpy as np

from attnlab.proofs_checks.record import Budget, Comparison, Status
from attnlab.proofs_checks.registry import NegativeControl, Outcome, claim, empirical_claim
from attnlab.proofs_checks.tf_svm import built_instances as B
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.proofs_checks.tf_svm.gradient_ratio import (
    SATURATION_GAP,
    min_ratio,
    region_radius,
    rho_lower_bound,
)
from attnlab.proofs_checks.tf_svm.reference_svm import reference_loss
from attnlab.theory._lazy import lazy_module
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import LOSSES, Loss, loss_gap
from attnlab.theory.tf_svm.attention_model import optimal_tokens, token_scores
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.examples import stationary_point_instance

sp = lazy_module("sympy")

_LOC = "derived: proofs_checks/tf_svm/DERIVATIONS.md#"  # + the section anchor of each claim


def _symbolic_losses() -> tuple:
    """The loss variable u and the losses of Assumption A as sympy expressions."""
    u = sp.symbols("u", real=True)
    return u, {"logistic": sp.log(1 + sp.exp(-u)), "exponential": sp.exp(-u), "correlation": -u}


@claim(
    "tf_svm/assumption-a-losses",
    locator="unverified: Assumption A (the loss) of arXiv:2308.16898; its wording was not read and the abstract does "
            "not state it; checked here: l' < 0 for the three losses named", kind="symbolic", provenance="unverified",
    statement=r"$\ell' < 0$ on $\mathbb{R}$ for logistic, exponential and correlation losses (Assumption A)",
    negative="planted bug: the package's logistic derivative with its sign flipped (l'(u) = +expit(-u))",
)
def assumption_a(budget: Budget, mutant: bool) -> Outcome:
    """Positive family: the three named losses, each must be proved decreasing and match the package's numeric
    value and derivative (a loss not proved decreasing fails the claim)."""
    _u, losses = _symbolic_losses()
    numeric = dict(LOSSES)
    if mutant:
        lo = LOSSES["logistic"]
        numeric["logistic"] = Loss(lo.name, lo.value, lambda u: -lo.deriv(u), lo.diff)
    pts = np.linspace(-5, 5, 11)
    bad, worst = [], 0.0
    for name, expr in losses.items():
        dl = sp.simplify(sp.diff(expr, _u))
        if dl.is_negative is not True:
            bad.append(f"{name}: l'(u) = {dl} not provably negative")
        if name in numeric:  # the package's numeric loss and derivative agree with the symbolic ones
            f = sp.lambdify(_u, expr, "numpy")
            g = sp.lambdify(_u, dl, "numpy")
            err = max(np.max(np.abs(numeric[name].value(pts) - f(pts))),
                      np.max(np.abs(numeric[name].deriv(pts) - np.broadcast_to(g(pts), pts.shape))))
            worst = max(worst, float(err))
    if bad or worst > TOL.float64_exact.allowance(100.0):
        return Outcome(status=Status.FAILED, lhs=worst, rhs=0.0, tolerance=TOL.float64_exact, allowance=None, instances_tried=len(losses), instances_applicable=len(losses),
                       worst_instance={"losses": list(losses)}, reasons=tuple(bad))
    return Outcome(status=Status.PROVED_SYMBOLIC, lhs=worst, rhs=0.0, tolerance=TOL.float64_exact, allowance=None, instances_tried=len(losses), instances_applicable=len(losses),
                   details={"losses": list(losses)})


def _unique_opt(inst) -> list[str]:
    _, unique = optimal_tokens(inst.X, inst.v, inst.Y)
    return [] if unique.all() else ["optimal token not unique"]


def _gap_eval(d: S.Drawn, scores=None) -> Comparison:
    r"""The package's $\mathcal L(W)$ (:func:`grad_w`) and $\mathcal L(W) - \mathcal L^\star$ (:func:`loss_gap` on
    ``scores``) against :func:`reference_loss`, at a random $W$ with $\|W\|_F = 10\,c$; lhs is $\infty$ unless both
    gaps are positive."""
    inst, scores = d.inst, token_scores if scores is None else scores  # looked up at call time
    rng = np.random.default_rng(d.seed)
    W = rng.normal(size=(inst.shape[2],) * 2)
    W *= 10.0 * d.extra / np.linalg.norm(W)
    L_pkg = float(grad_w(inst.X, inst.Z, inst.v, inst.Y, W)[0])
    gap_pkg = float(loss_gap(inst.X, inst.Z @ W.T, scores(inst.X, inst.v, inst.Y), "logistic"))
    L_ref, L_star = reference_loss(inst.X, inst.Z, inst.v, inst.Y, W)
    if not (gap_pkg > 0 and L_ref - L_star > 0):
        return Comparison(np.inf, 0.0, 0.0)
    err = max(abs(L_pkg - L_ref), abs(gap_pkg - (L_ref - L_star)))
    return Comparison(err, 0.0, TOL.float64_exact.allowance(L_ref))


def _scores_without_labels(X, v, Y):
    """Planted bug: token scores v^T x_it without the labels Y_i."""
    return X @ v


@empirical_claim(
    "tf_svm/loss-above-infimum",
    locator="unverified as a lemma of arXiv:2308.16898 (not read); our proof: "
            "proofs_checks/tf_svm/DERIVATIONS.md#loss-above-infimum", provenance="unverified",
    statement=r"$\mathcal{L}(W) > \mathcal{L}^\star = \frac1n\sum_i \ell(\gamma_{i,\mathrm{opt}_i})$ for every finite $W$; "
              r"the package's $\mathcal L(W)$ and $\mathcal L(W) - \mathcal L^\star$ equal an independent float64 "
              r"evaluation of $\ell(Y_i v^\top X_i^\top \mathrm{softmax}(X_i W z_i))$",
    hypotheses=("l strictly decreasing",), strategy=S.instances_with_alpha(), check_hypotheses=lambda d: [],
    tolerance=TOL.float64_exact, positive=B.mixed_labels(),
    negative=NegativeControl("planted bug: token scores computed without the labels Y",
                             evaluate=lambda d: _gap_eval(d, _scores_without_labels)),
)
def loss_above_infimum(d: S.Drawn) -> Comparison:
    return _gap_eval(d)


def _approach_hyp(d: S.Drawn) -> list[str]:
    r = _unique_opt(d.inst)
    if r:
        return r
    opt, _ = optimal_tokens(d.inst.X, d.inst.v, d.inst.Y)
    sol = solve_att_svm(d.inst.X, d.inst.Z, opt)
    return [] if sol.optimal else [f"Att-SVM(opt) status {sol.status}"]


def _approach_eval(d: S.Drawn, scores=None) -> Comparison:
    r"""gap(R) along $R\,\hat W$, $\hat W = W^{mm}/\|W^{mm}\|$: decreasing, with rate $-1/\|W^{mm}\|$ at large R.
    The optimal tokens are written out here ($\arg\max_t Y_i v^\top x_{it}$); the gap uses the package's ``scores``."""
    inst, scores = d.inst, token_scores if scores is None else scores
    opt = np.argmax(inst.Y[:, None] * np.einsum("ntd,d->nt", inst.X, inst.v), axis=1)
    Wm = solve_att_svm(inst.X, inst.Z, opt).W
    nm = float(np.linalg.norm(Wm))
    g = scores(inst.X, inst.v, inst.Y)
    Rs = nm * np.linspace(1.0, 30.0, 59)  # margins R / ||W^mm|| from 1 to 30, below saturation
    gaps = np.array([float(loss_gap(inst.X, inst.Z @ (R / nm * Wm).T, g, "logistic")) for R in Rs])
    if not (np.all(gaps > 0) and np.all(np.diff(gaps) < 0)):
        return Comparison(np.inf, 0.0, 0.0)
    slope = (np.log(gaps[-1]) - np.log(gaps[-3])) / (Rs[-1] - Rs[-3])
    ratio = -slope * nm
    return Comparison(abs(ratio - 1.0), 0.0, TOL.rate_fit.allowance(1.0))


@empirical_claim(
    "tf_svm/loss-approaches-infimum-along-wmm", locator=_LOC + "loss-approaches-infimum", provenance="derived",
    statement=r"$\mathcal{L}(R\,\hat W^{mm}) - \mathcal{L}^\star \downarrow 0$, $\log$-rate $-1/\|W^{mm}\|_F$ in $R$",
    hypotheses=("unique optimal tokens", "Att-SVM(opt) feasible"), strategy=S.instances_with_alpha(),
    check_hypotheses=_approach_hyp, tolerance=TOL.rate_fit, positive=B.mixed_labels(),
    negative=NegativeControl("planted bug: token scores computed without the labels Y",
                             evaluate=lambda d: _approach_eval(d, _scores_without_labels)),
)
def loss_approaches_infimum(d: S.Drawn) -> Comparison:
    return _approach_eval(d)


def _overparam(inst) -> list[str]:
    n, T, d = inst.shape
    reasons = []
    if d < max(T - 1, n):
        reasons.append("d < max(T-1, n)")
    if np.linalg.matrix_rank(inst.Z) < n:
        reasons.append("queries dependent")
    g = token_scores(inst.X, inst.v, inst.Y)
    if np.any(np.ptp(g, axis=1) == 0):
        reasons.append("constant scores in an input")
    return reasons


#: (n, T, d) with d >= max(T - 1, n), distinct sizes
_OVERPARAM_SHAPES = ((2, 3, 5), (3, 4, 5))


def _selection_directions(d: S.Drawn) -> list[np.ndarray]:
    """W^mm_alpha for every alpha (at most 9 of them) or for opt and the drawn alpha: the directions along which
    the gradient decays fastest."""
    inst = d.inst
    n, T, _ = inst.shape
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    alphas = list(itertools.product(range(T), repeat=n)) if T**n <= 9 else [tuple(opt), d.alpha]
    sols = (solve_att_svm(inst.X, inst.Z, a) for a in alphas)
    return [s.W for s in sols if s.optimal]


def _stationary_eval(d: S.Drawn, inst=None, orthogonal_queries: bool = False) -> Comparison:
    r"""$\rho_{lb} \le \min\rho$ over $\|W\|_F \le R_{\max}$ (:func:`region_radius`): radii 0 and 16 geometric steps
    from $10^{-4}R_{\max}$ to $R_{\max}$."""
    inst = d.inst if inst is None else inst
    R = region_radius(inst.X, inst.Z)
    radii = np.concatenate([[0.0], np.geomspace(1e-4 * R, R, 16)])
    dirs = _selection_directions(d) if inst is d.inst else []
    rho, _ = min_ratio(inst, d.seed, dirs, radii)
    lb = rho_lower_bound(inst.X, inst.Z, orthogonal_queries)
    return Comparison(lb, rho, TOL.inequality.allowance(lb))


def _stationary_hyp(d: S.Drawn) -> list[str]:
    reasons = _overparam(d.inst)
    if not reasons and rho_lower_bound(d.inst.X, d.inst.Z) <= 0:
        reasons.append("tokens of an input affinely dependent (rho_lb = 0)")
    return reasons


def _region_summary(found) -> dict:
    return {"region": "||W||_F <= R_max = 600 / (max_{i,t,tau} ||x_it - x_itau|| * max_i ||z_i||): every logit gap "
                      "<= 600 (probabilities >= e^-600, normal float64 numbers); for unit data R_max >= 150",
            "max_logit_gap": 600.0, "saturation_logit_gap": SATURATION_GAP}


@empirical_claim(
    "tf_svm/no-finite-stationary-point",
    locator=_LOC + "no-finite-stationary-point (the arXiv:2308.16898 abstract claims 'a benign optimization landscape devoid "
            "of stationary points'; the theorem's number and hypotheses were not read)", provenance="derived",
    statement=r"$d \ge \max(T-1, n)$, independent $z_i$, affinely independent tokens, non-constant scores "
              r"$\Rightarrow \|\nabla\mathcal{L}(W)\|_F \ge \rho_{lb}\,S(W) > 0$ ($S$ the gradient's absolute scale, "
              r"$\rho_{lb}$ from $\sigma_n(Z)$ and the token differences); searched over $\|W\|_F \le R_{\max}$, where "
              r"every logit gap is $\le 600$, far beyond softmax saturation (gap $\approx 37$)",
    hypotheses=("d >= max(T-1, n)", "z_i independent", "tokens of each input affinely independent",
                "non-constant scores"),
    strategy=S.instances_with_alpha(_OVERPARAM_SHAPES), check_hypotheses=_stationary_hyp,
    tolerance=TOL.inequality, positive=S.instances_with_alpha(_OVERPARAM_SHAPES), summarize=_region_summary,
    negative=NegativeControl(
        "planted bug: sigma_n(Z) replaced by min ||z_i|| (queries taken as orthogonal), on the d = 1 < n = 2 "
        "instance whose W = 0 is stationary",
        evaluate=lambda d: _stationary_eval(d, stationary_point_instance(), orthogonal_queries=True),
    ),
)
def no_finite_stationary_point(d: S.Drawn) -> Comparison:
    return _stationary_eval(d)
