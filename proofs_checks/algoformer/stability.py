r"""Stability and rates of the looped constructions (spec A3, A5, A8; all [derived]).

* **GD below the threshold** (A3): residuals evolve as :math:`r_{t+1} = (I - \frac\eta n XX^\top) r_t`, so from
  :math:`w_0 = 0` the iterate stays in the row space and
  :math:`\|w_T - w^+\| \le \rho^T \|w^+\|`, :math:`\rho = \max_{\lambda \in \mathrm{spec}^+(S)} |1 - \eta\lambda|`,
  :math:`w^+ = X^+y` the minimum-norm least-squares solution (also for n < d). Checked on the looped
  construction's prediction after enough loops for :math:`\rho^T \le 10^{-8}` (at most 3000).
* **GD above the threshold**: for :math:`\eta\lambda_{\max} \in (2, 4)` the top eigen-direction grows like
  :math:`|1 - \eta\lambda_{\max}|^T`; the token-carries-w loop's w-slot is checked to leave :math:`w^+` by a
  factor 1000 after :math:`T = \lceil \log(10^4\|w^+\| / |u^\top w^+|) / \log|1 - \eta\lambda_{\max}|\rceil` loops.
* **Newton–Schulz residual squares** (A8): :math:`E_t = I - SM_t` read from the loop state satisfies
  :math:`E_{t+1} = E_t^2` at every loop.
* **Softmax copy error** (A5): with logits :math:`\beta\langle \mathrm{pos}_i, S_1\mathrm{pos}_j\rangle` the copy
  into token j < N-1 is off by exactly :math:`\frac{(N-1)(\bar v_{-(j+1)} - v_{j+1})}{e^\beta + N - 1}`, so it
  decays like :math:`(N-1)e^{-\beta}` times the spread of the values.
"""

from __future__ import annotations

import math

import numpy as np

from attnlab.proofs_checks.algoformer import strategies as S
from attnlab.proofs_checks.algoformer.instances import CopyInstance, Regression, spectrum
from attnlab.proofs_checks.algoformer.loops import agreement, newton_hypotheses, quietly, stable_hypotheses
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.algoformer import baselines as bl
from attnlab.theory.algoformer import gd_step, newton
from attnlab.theory.algoformer.block import Block, Head, attention_sublayer, linear_attention, run_loop
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.layout import Layout
from attnlab.theory.algoformer.primitives import copy_head
from attnlab.theory.errors import InvalidInputError

__all__ = ["gd_converges_below", "gd_diverges_above", "newton_residual_squares", "softmax_copy_error",
           "MAX_LOOPS"]

MAX_LOOPS = 3000


def _contraction(X: np.ndarray, eta: float) -> float:
    lo, hi, _ = spectrum(X)
    return max(abs(1 - eta * lo), abs(1 - eta * hi))


def _converge_loops(r: Regression) -> int:
    rho = _contraction(r.X, r.eta)
    return MAX_LOOPS if rho >= 1 else min(MAX_LOOPS, max(1, math.ceil(math.log(1e-8) / math.log(max(rho, 1e-300)))))


def _loop_predictions(r: Regression, T: int, query_as_key: bool) -> float:
    """The looped construction's prediction after T loops; inf when its tokens blew up (a violation, not a crash)."""
    try:
        if not query_as_key:
            return float(gd_step.gd_loop_predictions(r.X, r.y, r.xq, r.eta, T)[-1])
        n, d = r.X.shape  # planted bug: the query token is a key (it acts as an extra example labelled 0)
        Q, K, V = gd_step.gd_weights(d, r.eta)
        H = gd_step.gd_tokens(r.X, r.y, r.xq)
        for _ in range(T):
            H = linear_attention(H, Q, K, V, n + 1)
        return -float(H[n, d])
    except InvalidInputError:  # linear_attention refuses non-finite tokens: the loop diverged
        return math.inf


def _below(r: Regression, query_as_key: bool) -> Comparison:
    T = _converge_loops(r)
    pred = _loop_predictions(r, T, query_as_key)
    w_plus = bl.ols(r.X, r.y)
    rho = _contraction(r.X, r.eta)
    bound = rho**T * float(np.linalg.norm(w_plus) * np.linalg.norm(r.xq))
    err = abs(pred - w_plus @ r.xq) if np.isfinite(pred) else math.inf
    scale = float(np.linalg.norm(w_plus) * np.linalg.norm(r.xq))
    return Comparison(err, bound, TOL.loop_agreement.allowance(scale) * max(1.0, math.sqrt(spectrum(r.X)[2])) * math.sqrt(T))


@empirical_claim(
    "algoformer/gd-loop-converges-below-threshold",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#gd-below-threshold",
    statement=r"$0 < \eta < 2/\lambda_{\max}(S)$: the looped GD prediction satisfies $|\hat y_T - x_q^\top X^+y| \le \rho^T\|X^+y\|\|x_q\|$, $\rho = \max_{\lambda\in\mathrm{spec}^+(S)}|1-\eta\lambda| < 1$, with $T$ loops such that $\rho^T \le 10^{-8}$ (the limit is the minimum-norm least-squares predictor, also for $n < d$)",
    strategy=S.regressions(frac=(0.1, 0.95), cond=(0.0, 1.0)),
    check_hypotheses=lambda r: stable_hypotheses(r.X, r.frac, r.y, r.xq),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("the query token used as a key of the GD loop (it joins the data as a point labelled 0)",
                             evaluate=quietly(lambda r: _below(r, True))),
    positive=S.well_posed(frac=(0.1, 0.95)),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$",),
)
def gd_converges_below(r: Regression) -> Comparison:
    return _below(r, False)


def _top_component(r: Regression, w_plus: np.ndarray) -> float:
    S_, _ = r.S_b()
    _, U = np.linalg.eigh(S_)
    return abs(float(U[:, -1] @ w_plus))


def _diverge_loops(r: Regression, eta: float) -> int:
    w_plus = bl.ols(r.X, r.y)
    growth = abs(1 - eta * spectrum(r.X)[1])
    comp = _top_component(r, w_plus)
    if growth <= 1 or comp == 0:
        return MAX_LOOPS + 1
    return max(1, math.ceil(math.log(1e4 * np.linalg.norm(w_plus) / comp) / math.log(growth)))


def _above_hyp(r: Regression) -> list[str]:
    out = [f"non-finite input {i}" for i, a in enumerate((r.X, r.y, r.xq)) if not np.all(np.isfinite(a))]
    if out:
        return out
    if not 1 < r.frac < 2:
        out.append(f"step fraction {r.frac:.3g} of 2/lambda_max outside (1, 2)")
    w_plus = bl.ols(r.X, r.y)
    if np.linalg.norm(w_plus) == 0 or _top_component(r, w_plus) < 1e-6 * np.linalg.norm(w_plus):
        out.append("w+ has no component along the top eigenvector (nothing to diverge)")
    elif _diverge_loops(r, r.eta) > MAX_LOOPS:
        out.append(f"divergence by 1e3 needs more than {MAX_LOOPS} loops")
    return out


def _above(r: Regression, double_normalised: bool) -> Comparison:
    n, d = r.X.shape
    eta = r.eta / n if double_normalised else r.eta  # planted bug: eta/n handed to a layer that divides by n again
    T = min(_diverge_loops(r, r.eta), MAX_LOOPS)
    model = gd_step.bai_algoformer(d, eta, n)
    L = gd_step.bai_layout(d)
    with np.errstate(over="ignore", invalid="ignore"):
        w_T = run_loop(gd_step.bai_tokens(r.X, r.y, r.xq), model.loop, T)[n, L["w"]]
    w_plus = bl.ols(r.X, r.y)
    dist = float(np.linalg.norm(w_T - w_plus))
    if not np.isfinite(dist):
        dist = math.inf
    floor = 1e3 * float(np.linalg.norm(w_plus))
    return Comparison(floor, dist, 0.0)


@empirical_claim(
    "algoformer/gd-loop-diverges-above-threshold",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#gd-above-threshold",
    statement=r"$2/\lambda_{\max} < \eta < 4/\lambda_{\max}$: after $T = \lceil\log(10^4\|w^+\|/|u_{\max}^\top w^+|)/\log|1-\eta\lambda_{\max}|\rceil$ loops the token-carries-w state satisfies $\|w_T - w^+\| \ge 10^3\|w^+\|$",
    strategy=S.regressions(frac=(1.05, 1.95), cond=(0.0, 1.0)),
    check_hypotheses=_above_hyp,
    tolerance=TOL.inequality,
    negative=NegativeControl("step normalised twice (eta/n passed to the layer, which divides by n again)",
                             evaluate=quietly(lambda r: _above(r, True)),
                             strategy=S.regressions(shapes=[s for s in S.SHAPES if s[0] >= 3], frac=(1.05, 1.95),
                                                    cond=(0.0, 1.0))),
    positive=S.diverging(),
    hypotheses=(r"$2 < \eta\lambda_{\max}(S) < 4$", r"$u_{\max}^\top w^+ \ne 0$"),
)
def gd_diverges_above(r: Regression) -> Comparison:
    return _above(r, False)


def _squares(r: Regression, value_from_s: bool) -> Comparison:
    n, d = r.X.shape
    model = newton.newton_algoformer(d, n, r.eta)
    L = newton.newton_layout(d)
    if value_from_s:  # planted bug: the loop head's value reads the s-slot (M <- 2M - S^2 M / 2)
        mlp, (head,) = model.loop.sublayers
        bad = Head(head.Q, head.K, L.move("m", "s"), keys=head.keys, scale=head.scale)
        model = AlgoFormer(model.pre, Block((mlp, (bad,))), model.post)
    Ms = model.loop_trace(newton.newton_tokens(r.X, r.y, r.xq), r.T, lambda H: H[n:n + d, L["m"]].T)
    S_, _ = r.S_b()
    E = np.eye(d) - S_ @ Ms
    scale = max(1.0, float(np.max(np.abs(E))) ** 2, float(np.linalg.norm(S_, 2) * np.max(np.abs(Ms))))
    if r.T == 0:
        return Comparison(0.0, 0.0, 0.0)
    return agreement(E[1:], E[:-1] @ E[:-1], scale, spectrum(r.X)[2])


@empirical_claim(
    "algoformer/newton-schulz-residual-squares",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#newton-schulz-residual (that AlgoFormer, arXiv:2402.13572, claims quadratic convergence: unverified)",
    statement=r"$E_t = I - SM_t$ read from the looped Newton–Schulz workspace satisfies $E_{t+1} = E_t^2$ at every loop, so $\|E_T\| \le \|I - \alpha S\|^{2^T}$",
    strategy=S.overdetermined(T=(0, 30)),
    check_hypotheses=newton_hypotheses,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("loop head's value reads s_k instead of m_k (a swapped slot: M <- 2M - S^2 M/2)",
                             evaluate=quietly(lambda r: _squares(r, True))),
    positive=S.well_posed(overdetermined_only=True, T=(1, 30)),
    hypotheses=(r"$S \succ 0$", r"$0 < \alpha < 2/\lambda_{\max}(S)$"),
)
def newton_residual_squares(r: Regression) -> Comparison:
    return _squares(r, False)


def _copy(c: CopyInstance, unshifted: bool) -> Comparison:
    v = c.values
    N = v.shape[0]
    L = Layout(src=1, dst=1, pos=N)
    head = copy_head(L, "dst", "src", N, 0 if unshifted else 1, kind="softmax", beta=c.beta)
    H = L.tokens(N, pos=np.eye(N))
    H[:, L["src"]] = v[:, None]
    copied = attention_sublayer(H, (head,))[:-1, L["dst"].start]
    others_mean = (v.sum() - v[1:]) / (N - 1)
    predicted_err = (N - 1) * (others_mean - v[1:]) / (math.exp(c.beta) + N - 1)
    return Comparison(float(np.max(np.abs((copied - v[1:]) - predicted_err))), 0.0,
                      TOL.float64_exact.allowance(np.max(np.abs(v))))


@empirical_claim(
    "algoformer/softmax-copy-error",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#softmax-copy",
    statement=r"Softmax copy head, logits $\beta\langle\mathrm{pos}_i, S_1\mathrm{pos}_j\rangle$ over N tokens: token $j<N-1$ receives $v_{j+1} + \frac{(N-1)(\bar v_{-(j+1)} - v_{j+1})}{e^\beta + N - 1}$, an error $\le (N-1)e^{-\beta}(\max v - \min v)$",
    strategy=S.copy_instances(),
    check_hypotheses=lambda c: [] if np.all(np.isfinite(c.values)) and c.beta > 0 else ["non-finite values or beta <= 0"],
    tolerance=TOL.float64_exact,
    negative=NegativeControl("copy head without the positional shift (k = 0)", evaluate=quietly(lambda c: _copy(c, True))),
    positive=S.copy_instances(),
)
def softmax_copy_error(c: CopyInstance) -> Comparison:
    return _copy(c, False)
