r"""The loss landscape: Assumption A, the infimum $\mathcal{L}^\star$ is not attained but approached along
$R\,W^{mm}$, and no finite stationary point under over-parameterisation (statements
unverified, arguments derived: ``proofs_checks/tf_svm/DERIVATIONS.md``).
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Budget, Comparison, Status
from attnlab.proofs_checks.registry import NegativeControl, Outcome, claim, empirical_claim
from attnlab.proofs_checks.tf_svm import strategies as S
from attnlab.theory._lazy import lazy_function, lazy_module
from attnlab.theory._tolerances import TOL
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import LOSSES, loss_gap
from attnlab.theory.tf_svm.attention_model import optimal_tokens, token_scores
from attnlab.theory.tf_svm.attention_svm import solve_att_svm
from attnlab.theory.tf_svm.examples import stationary_point_instance

sp = lazy_module("sympy")
minimize = lazy_function("scipy.optimize", "minimize")

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
    negative="the square loss u^2, not decreasing",
)
def assumption_a(budget: Budget, mutant: bool) -> Outcome:
    _u, losses = _symbolic_losses()
    if mutant:
        losses = {"square": _u**2}
    pts = np.linspace(-5, 5, 11)
    bad, worst = [], 0.0
    for name, expr in losses.items():
        dl = sp.simplify(sp.diff(expr, _u))
        if dl.is_negative is not True:
            bad.append(f"{name}: l'(u) = {dl} not provably negative")
        if name in LOSSES:  # the numeric loss and derivative agree with the symbolic ones
            f = sp.lambdify(_u, expr, "numpy")
            g = sp.lambdify(_u, dl, "numpy")
            err = max(np.max(np.abs(LOSSES[name].value(pts) - f(pts))),
                      np.max(np.abs(LOSSES[name].deriv(pts) - np.broadcast_to(g(pts), pts.shape))))
            worst = max(worst, float(err))
    if bad or worst > TOL.float64_exact.allowance(100.0):
        return Outcome(status=Status.FAILED, lhs=worst, rhs=0.0, tolerance=TOL.float64_exact, allowance=None, instances_tried=len(losses), instances_applicable=len(losses),
                       worst_instance={"losses": list(losses)}, reasons=tuple(bad))
    return Outcome(status=Status.PROVED_SYMBOLIC, lhs=worst, rhs=0.0, tolerance=TOL.float64_exact, allowance=None, instances_tried=len(losses), instances_applicable=len(losses),
                   details={"losses": list(losses)})


def _unique_opt(inst) -> list[str]:
    _, unique = optimal_tokens(inst.X, inst.v, inst.Y)
    return [] if unique.all() else ["optimal token not unique"]


def _gap_eval(d: S.Drawn, worst_score: bool = False) -> Comparison:
    inst = d.inst
    g = token_scores(inst.X, inst.v, inst.Y)
    if worst_score:  # mutant: L* built from the lowest score, so L(W) > L* is false
        g = -g
    rng = np.random.default_rng(d.seed)
    W = rng.normal(size=(inst.shape[2],) * 2)
    W *= 10.0 * d.extra / np.linalg.norm(W)
    gap = float(loss_gap(inst.X, inst.Z @ W.T, g, "logistic"))
    if worst_score:
        gap = -gap
    return Comparison(5e-324, gap, 0.0)  # lhs is the smallest positive double: gap = 0 fails


@empirical_claim(
    "tf_svm/loss-above-infimum",
    locator="unverified as a lemma of arXiv:2308.16898 (not read); our proof: "
            "proofs_checks/tf_svm/DERIVATIONS.md#loss-above-infimum", provenance="unverified",
    statement=r"$\mathcal{L}(W) > \mathcal{L}^\star = \frac1n\sum_i \ell(\gamma_{i,\mathrm{opt}_i})$ for every finite $W$",
    hypotheses=("l strictly decreasing",), strategy=S.instances_with_alpha(), check_hypotheses=lambda d: [],
    tolerance=TOL.inequality,
    negative=NegativeControl("L* taken at the lowest-score token", evaluate=lambda d: _gap_eval(d, True)),
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


def _approach_eval(d: S.Drawn, predicted_margin: float = 1.0) -> Comparison:
    r"""gap(R) along $R\,\hat W$, $\hat W = W^{mm}/\|W^{mm}\|$: decreasing, with rate $-1/\|W^{mm}\|$ at large R."""
    inst = d.inst
    opt, _ = optimal_tokens(inst.X, inst.v, inst.Y)
    Wm = solve_att_svm(inst.X, inst.Z, opt).W
    nm = float(np.linalg.norm(Wm))
    g = token_scores(inst.X, inst.v, inst.Y)
    Rs = nm * np.linspace(1.0, 30.0, 59)  # margins R / ||W^mm|| from 1 to 30, below saturation
    gaps = np.array([float(loss_gap(inst.X, inst.Z @ (R / nm * Wm).T, g, "logistic")) for R in Rs])
    if not (np.all(gaps > 0) and np.all(np.diff(gaps) < 0)):
        return Comparison(np.inf, 0.0, 0.0)
    slope = (np.log(gaps[-1]) - np.log(gaps[-3])) / (Rs[-1] - Rs[-3])
    ratio = -slope * nm / predicted_margin
    return Comparison(abs(ratio - 1.0), 0.0, TOL.rate_fit.allowance(1.0))


@empirical_claim(
    "tf_svm/loss-approaches-infimum-along-wmm", locator=_LOC + "loss-approaches-infimum", provenance="derived",
    statement=r"$\mathcal{L}(R\,\hat W^{mm}) - \mathcal{L}^\star \downarrow 0$, $\log$-rate $-1/\|W^{mm}\|_F$ in $R$",
    hypotheses=("unique optimal tokens", "Att-SVM(opt) feasible"), strategy=S.instances_with_alpha(),
    check_hypotheses=_approach_hyp, tolerance=TOL.rate_fit,
    negative=NegativeControl("rate predicted with margin 2 instead of 1", evaluate=lambda d: _approach_eval(d, 2.0)),
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


def _min_grad_norm(inst, seed: int, radius: float = 1.0) -> float:
    r"""$\min \|\nabla\mathcal{L}(W)\|_F$ over the box $|W_{jk}| \le$ radius/d (inside the ball of that radius).

    L-BFGS-B on $f = \|\nabla\mathcal{L}\|_F^2$ with its gradient by central differences, all $2d^2$
    perturbed points in one batched gradient call (step $\epsilon^{1/3}$, error $O(10^{-10})$ relative:
    more accurate than the forward differences L-BFGS-B would take one call at a time)."""
    d = inst.shape[2]
    rng = np.random.default_rng(seed)
    h = np.cbrt(np.finfo(np.float64).eps)
    E = h * np.eye(d * d).reshape(d * d, d, d)

    def f(w):
        G = grad_w(inst.X, inst.Z, inst.v, inst.Y, w.reshape(d, d))[1]
        return float(np.sum(G * G))

    def fg(w):
        W = w.reshape(d, d)
        G = grad_w(inst.X, inst.Z, inst.v, inst.Y, np.concatenate([W[None], W + E, W - E]))[1]
        F = np.einsum("bde,bde->b", G, G)
        return float(F[0]), (F[1 : d * d + 1] - F[d * d + 1 :]) / (2 * h)

    b = radius / d
    res = minimize(fg, rng.uniform(-b, b, d * d), jac=True, method="L-BFGS-B", bounds=[(-b, b)] * (d * d),
                   options={"maxiter": 60})
    return float(np.sqrt(min(f(res.x), f(np.zeros(d * d)))))


def _stationary_eval(d: S.Drawn) -> Comparison:
    return Comparison(TOL.stationarity.atol, _min_grad_norm(d.inst, d.seed), 0.0)


@empirical_claim(
    "tf_svm/no-finite-stationary-point",
    locator=_LOC + "no-finite-stationary-point (the arXiv:2308.16898 abstract claims 'a benign optimization landscape devoid "
            "of stationary points'; the theorem's number and hypotheses were not read)", provenance="derived",
    statement=r"$d \ge \max(T-1, n)$, independent $z_i$, non-constant scores $\Rightarrow \nabla\mathcal{L}(W) \ne 0$ (checked: an L-BFGS-B search for $\min\|\nabla\mathcal{L}\|_F$ over the box $|W_{jk}| \le 1/d$, inside $\|W\|_F \le 1$, stays $> 10^{-6}$)",
    hypotheses=("d >= max(T-1, n)", "z_i independent", "non-constant scores"),
    strategy=S.instances_with_alpha(S.SHAPES[:1]), check_hypotheses=lambda d: _overparam(d.inst),
    tolerance=TOL.stationarity,
    negative=NegativeControl(
        "over-parameterisation dropped: d = 1 < n = 2 instance with a stationary point at W = 0",
        evaluate=lambda d: Comparison(TOL.stationarity.atol, _min_grad_norm(stationary_point_instance(), d.seed), 0.0),
    ),
)
def no_finite_stationary_point(d: S.Drawn) -> Comparison:
    return _stationary_eval(d)
