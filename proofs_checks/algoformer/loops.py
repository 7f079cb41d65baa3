r"""Every construction equals its algorithm at every loop (spec A1, A2, A4, A6, A7, A8; all [derived]).

For each construction the check runs T loops (T up to hundreds) and compares the read-out at *every*
loop t = 0..T with the direct float64 algorithm (:mod:`attnlab.theory.algoformer.baselines`). The error
allowance is ``TOL.loop_agreement`` (1e-12 relative) at the scale of the iterates, multiplied by
:math:`\kappa(S)^{1/2}` (GD; spec §3) or :math:`\kappa(S)` (Newton-Schulz, whose iterate tends to
:math:`S^{-1}`). Hypotheses: finite data, step inside the stable range (the identity holds for any step, but
outside it the iterates overflow and no tolerance is meaningful).

Each negative control is a planted bug in the construction (the query used as a key, a dropped head or
sublayer, a copy head with the wrong shift), never a wrong constant in the comparison. Each positive-control
family (``positive=``) draws instances that meet the hypotheses by construction: the step is a fraction in
(0.05, 0.95) of :math:`2/\lambda_{\max}` computed from the drawn data, the design has an exact spectrum
(:func:`~attnlab.proofs_checks.algoformer.strategies.well_posed`), and for Newton–Schulz n >= d with
:math:`\kappa(S) \le 100`; so one of them judged not applicable means a broken hypothesis check.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from attnlab.proofs_checks.algoformer import strategies as S
from attnlab.proofs_checks.algoformer.instances import (
    ArSequence,
    CotPrompt,
    Regression,
    Representation,
    spectrum,
)
from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.theory._tolerances import TOL
from attnlab.theory.algoformer import ar_process as ar
from attnlab.theory.algoformer import baselines as bl
from attnlab.theory.algoformer import cot, gd_step, newton
from attnlab.theory.algoformer import representation as rp
from attnlab.theory.algoformer.block import Block, linear_attention
from attnlab.theory.algoformer.composition import AlgoFormer
from attnlab.theory.algoformer.primitives import copy_head, inverse_leaky_relu, leaky_relu

__all__ = ["gd_loop", "bai_loop", "newton_loop", "representation_loop", "ar_loop", "cot_loop", "agreement",
           "stable_hypotheses", "quietly", "newton_hypotheses"]


def quietly(evaluate):
    """A negative control's broken construction may overflow; that is its failure, not a warning."""

    def run(inst):
        with np.errstate(all="ignore"):
            return evaluate(inst)

    return run


def agreement(ours, ref, scale: float, amplification: float) -> Comparison:
    """Max |ours - ref| against ``loop_agreement`` at ``scale`` times the algorithm's amplification factor."""
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    err = float(np.max(np.abs(ours - ref))) if np.all(np.isfinite(ours)) else np.inf
    return Comparison(err, 0.0, TOL.loop_agreement.allowance(scale) * max(1.0, amplification))


def stable_hypotheses(Z, frac: float, *arrays) -> list[str]:
    out = [f"non-finite input {i}" for i, a in enumerate((Z, *arrays)) if not np.all(np.isfinite(a))]
    if not out and spectrum(Z)[1] <= 0:
        out.append("S = 0 (no data direction)")
    if not 0 < frac < 1:
        out.append(f"step fraction {frac:.3g} outside (0, 1) of 2/lambda_max")
    return out


def _reg_hyp(r: Regression) -> list[str]:
    return stable_hypotheses(r.X, r.frac, r.y, r.xq)


# ------------------------------------------------------------------ A1 von Oswald form


def _gd_loop(r: Regression, query_as_key: bool) -> Comparison:
    n, d = r.X.shape
    Q, K, V = gd_step.gd_weights(d, r.eta)
    H = gd_step.gd_tokens(r.X, r.y, r.xq)
    preds = [-H[n, d]]
    for _ in range(r.T):
        H = linear_attention(H, Q, K, V, n + 1 if query_as_key else n)
        preds.append(-H[n, d])
    ws = bl.gd_iterates(r.X, r.y, r.eta, r.T)
    scale = float(np.max(np.linalg.norm(ws, axis=-1))) * float(np.linalg.norm(r.xq))
    return agreement(preds, ws @ r.xq, scale, np.sqrt(spectrum(r.X)[2]))


@empirical_claim(
    "algoformer/gd-loop-equals-gd",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#lsa-gd-step (a minimal form of the construction announced in the abstract of von Oswald et al., "
    "arXiv:2212.07677; that AlgoFormer, arXiv:2402.13572, states a GD-loop theorem of this form: unverified)",
    statement=r"$T$ loops of linear attention with $(Q,K,V)=$ gd_weights$(d,\eta)$ leave $-w_t^\top x_q$ in the query's last entry for every $t \le T$, $w_{t+1} = w_t - \frac\eta n X^\top(Xw_t - y)$, $w_0 = 0$",
    strategy=S.regressions(),
    check_hypotheses=_reg_hyp,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("query token included as a key (its running prediction enters the update)", evaluate=quietly(lambda r: _gd_loop(r, True))),
    positive=S.well_posed(),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$ (for a meaningful tolerance; the identity holds for any $\eta$)",),
)
def gd_loop(r: Regression) -> Comparison:
    return _gd_loop(r, False)


# ------------------------------------------------------------------ A2 token carries w


def _bai_loop(r: Regression, drop_minus_head: bool) -> Comparison:
    n, d = r.X.shape
    model = gd_step.bai_algoformer(d, r.eta, n)
    if drop_minus_head:
        model = AlgoFormer(model.pre, Block((model.loop.sublayers[0][:1],)), model.post)
    L = gd_step.bai_layout(d)
    H0 = gd_step.bai_tokens(r.X, r.y, r.xq)
    w_slots = model.loop_trace(H0, r.T, lambda H: H[:, L["w"]])  # (T+1, n+1, d)
    preds = model.loop_trace(H0, r.T, lambda H: H[n, L["y"].start], post=True)
    ws = bl.gd_iterates(r.X, r.y, r.eta, r.T)
    ours = np.concatenate([w_slots.reshape(r.T + 1, -1) * np.linalg.norm(r.xq), preds[:, None]], axis=1)
    ref = np.concatenate([np.repeat(ws, n + 1, axis=0).reshape(r.T + 1, -1) * np.linalg.norm(r.xq), (ws @ r.xq)[:, None]], axis=1)
    scale = float(np.max(np.linalg.norm(ws, axis=-1))) * float(np.linalg.norm(r.xq))
    return agreement(ours, ref, scale, np.sqrt(spectrum(r.X)[2]))


@empirical_claim(
    "algoformer/token-carries-w-equals-gd",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#relu-pair-gd-step (token format and ReLU attention as in Bai et al.'s code, "
    "allenbai01/transformers-as-statisticians models.py; their theorem, arXiv:2306.04637: unverified)",
    statement=r"Two ReLU heads with $\langle Qh_j, Kh_i\rangle = \pm(w_j^\top x_i - y_i)$ and values $\mp\eta x_i$: after $t$ loops every token's w-slot is $w_t$ and the read-out layer gives $w_t^\top x_q$",
    strategy=S.regressions(),
    check_hypotheses=_reg_hyp,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("only the ReLU(+s) head (the ReLU(s) - ReLU(-s) = s pair broken)",
                             evaluate=quietly(lambda r: _bai_loop(r, True))),
    positive=S.well_posed(),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(S)$",),
)
def bai_loop(r: Regression) -> Comparison:
    return _bai_loop(r, False)


# ------------------------------------------------------------------ A8 Newton-Schulz


def newton_hypotheses(r: Regression) -> list[str]:
    out = stable_hypotheses(r.X, r.frac, r.y, r.xq)
    n, d = r.X.shape
    if not out and (n < d or spectrum(r.X)[2] > 1e8 or np.linalg.matrix_rank(r.X) < d):
        out.append("S singular or kappa(S) > 1e8 (Newton-Schulz needs lambda_min > 0)")
    return out


def _newton_loop(r: Regression, drop_doubling: bool) -> Comparison:
    n, d = r.X.shape
    alpha = r.eta  # alpha = frac * 2 / lambda_max
    model = newton.newton_algoformer(d, n, alpha)
    if drop_doubling:
        model = AlgoFormer(model.pre, Block(model.loop.sublayers[1:]), model.post)
    L = newton.newton_layout(d)
    H0 = newton.newton_tokens(r.X, r.y, r.xq)
    Ms = model.loop_trace(H0, r.T, lambda H: H[n:n + d, L["m"]].T)
    preds = model.loop_trace(H0, r.T, lambda H: H[n + d, L["y"].start], post=True)
    S_, b = r.S_b()
    ref_M = bl.newton_schulz_iterates(S_, alpha, r.T)
    scale_M = float(np.max(np.abs(ref_M)))
    ref_p = (ref_M @ b) @ r.xq
    scale = max(scale_M * float(np.linalg.norm(b) * np.linalg.norm(r.xq)), scale_M)
    ours = np.concatenate([Ms.reshape(r.T + 1, -1) * scale / scale_M, preds[:, None]], axis=1)
    ref = np.concatenate([ref_M.reshape(r.T + 1, -1) * scale / scale_M, ref_p[:, None]], axis=1)
    return agreement(ours, ref, scale, spectrum(r.X)[2])


@empirical_claim(
    "algoformer/newton-schulz-loop-equals-direct",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#newton-schulz-loop (that AlgoFormer, arXiv:2402.13572, has a looped Newton theorem: "
    "unverified, body not read)",
    statement=r"pre (2 LSA heads + MLP), loop (doubling MLP + LSA with scale $-1/4$), post (2 LSA layers): after $t$ loops the workspace holds $M_t$, $M_{t+1} = 2M_t - M_tSM_t$, $M_0 = \alpha I$, and the output is $x_q^\top M_t b$",
    strategy=S.overdetermined(T=(0, 30)),
    check_hypotheses=newton_hypotheses,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("doubling MLP dropped from the loop (LSA alone gives M - MSM/4)",
                             evaluate=quietly(lambda r: _newton_loop(r, True))),
    positive=S.well_posed(overdetermined_only=True, T=(0, 30)),
    hypotheses=(r"$n \ge d$, $S \succ 0$", r"$0 < \alpha < 2/\lambda_{\max}(S)$ ($\alpha$ an oracle scalar: not linear-attention computable)"),
)
def newton_loop(r: Regression) -> Comparison:
    return _newton_loop(r, False)


# ------------------------------------------------------------------ A4 representation


def _rep_loop(p: Representation, shift_bug: bool) -> Comparison:
    n = p.X.shape[0]
    Z = rp.phi(p.X, p.Bs, p.a)
    eta = p.frac * 2.0 / spectrum(Z)[1]
    model = rp.representation_algoformer(p.Bs, p.a, n, eta)
    if shift_bug:
        L = rp.representation_layout(p.X.shape[1], Z.shape[1], 2 * n + 1)
        pre = Block((*model.pre[0].sublayers[:-1], (copy_head(L, "y", "y", 2 * n + 1, 0),)))
        model = AlgoFormer((pre,), model.loop, model.post)
    H0 = rp.representation_tokens(p.X, p.y, p.xq, Z.shape[1])
    preds = model.loop_trace(H0, p.T, lambda H: H[2 * n, p.X.shape[1]], post=True)
    ws = bl.gd_iterates(Z, p.y, eta, p.T)
    zq = rp.phi(p.xq, p.Bs, p.a)
    scale = float(np.max(np.linalg.norm(ws, axis=-1))) * float(np.linalg.norm(zq))
    return agreement(preds, ws @ zq, scale, np.sqrt(spectrum(Z)[2]))


@empirical_claim(
    "algoformer/representation-algoformer-equals-gd",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#representation (AlgoFormer's regression-with-representation theorem, arXiv:2402.13572: "
    "unverified, body not read)",
    statement=r"pre = $L$ leaky-ReLU MLP sublayers + one copy head (interleaved $x_i, y_i$ prompt), loop = LSA-GD on $\Phi^*$, post = negation: the output after $t$ loops is $w_t^\top\Phi^*(x_q)$, $w_t$ = GD on $\frac1{2n}\sum_i(w^\top\Phi^*(x_i) - y_i)^2$",
    strategy=S.representations(),
    check_hypotheses=lambda p: stable_hypotheses(rp.phi(p.X, p.Bs, p.a), p.frac, p.y, p.xq),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("copy head without the shift (k = 0: x-tokens copy their own empty y-slot)",
                             evaluate=quietly(lambda p: _rep_loop(p, True))),
    positive=S.representations(T=(1, 60)),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}(\Phi^\top\Phi/n)$",),
)
def representation_loop(p: Representation) -> Comparison:
    return _rep_loop(p, False)


# ------------------------------------------------------------------ A6 AR(q)


def _ar_features(s: ArSequence):
    Z = rp.phi(ar.ar_windows(s.x, s.q), s.Bs, s.a)
    ctx = list(ar.ar_context(s.q, s.x.shape[0]))
    return Z, ctx


def _ar_loop(s: ArSequence, query_as_key: bool) -> Comparison:
    N, d = s.x.shape
    Z, ctx = _ar_features(s)
    eta = s.frac * 2.0 / spectrum(Z[ctx])[1]
    model = ar.ar_algoformer(s.Bs, s.a, d, s.q, N, eta)
    if query_as_key:
        head = model.loop.sublayers[0][0]
        model = AlgoFormer(model.pre, Block(((replace(head, keys=head.keys + (N - 1,)),),)), model.post)
    L = ar.ar_layout(d, s.q, Z.shape[1], N)
    preds = model.loop_trace(ar.ar_tokens(s.x, s.q, Z.shape[1]), s.T, lambda H: H[N - 1, L["r"]], post=True)
    Ws = bl.gd_iterates(Z[ctx], s.x[[c + 1 for c in ctx]], eta, s.T)
    scale = float(np.max(np.linalg.norm(Ws, axis=(-2, -1)))) * float(np.linalg.norm(Z[-1]))
    return agreement(preds, Ws @ Z[-1], scale, np.sqrt(spectrum(Z[ctx])[2]))


def _ar_hyp(s: ArSequence) -> list[str]:
    Z, ctx = _ar_features(s)
    return stable_hypotheses(Z[ctx], s.frac, s.x)


@empirical_claim(
    "algoformer/ar-algoformer-equals-gd",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#ar-representation (AlgoFormer's AR(q) theorem, arXiv:2402.13572: unverified, body not read)",
    statement=r"pre = $q$ copy heads (window $\bar x_t$) + leaky MLP $\Phi^*$ + target copy, loop = multi-output LSA-GD, post = negation: the last token outputs $W_t\Phi^*(\bar x_{N-1})$ with $W_t$ = GD on $\sum_{t'}\|x_{t'+1} - W\Phi^*(\bar x_{t'})\|^2$ over complete windows",
    strategy=S.ar_sequences(),
    check_hypotheses=_ar_hyp,
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("the last (query) token used as a key of the GD head", evaluate=quietly(lambda s: _ar_loop(s, True))),
    positive=S.ar_sequences(T=(1, 60)),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}$ of the window features",),
)
def ar_loop(s: ArSequence) -> Comparison:
    return _ar_loop(s, False)


# ------------------------------------------------------------------ A7 CoT


def _cot_loop(c: CotPrompt, drop_inverse: bool) -> Comparison:
    n, Lp1, d = c.states.shape
    ell = c.query.shape[0] - 1
    Zc = c.states[:, ell]
    eta = c.frac * 2.0 / spectrum(Zc)[1]
    model = cot.cot_algoformer(d, n, Lp1 - 1, ell, c.a, eta)
    if drop_inverse:
        model = AlgoFormer((Block(model.pre[0].sublayers[:1]),), model.loop, model.post)
    H0 = cot.cot_tokens(c.states, c.query)
    L = cot.cot_layout(d, H0.shape[0])
    preds = model.loop_trace(H0, c.T, lambda H: H[-1, L["o"]], post=True)
    Ws = bl.gd_iterates(Zc, inverse_leaky_relu(c.states[:, ell + 1], c.a), eta, c.T)
    ref = leaky_relu(Ws @ c.query[ell], c.a)
    scale = float(np.max(np.linalg.norm(Ws, axis=(-2, -1)))) * float(np.linalg.norm(c.query[ell]))
    return agreement(preds, ref, scale, np.sqrt(spectrum(Zc)[2]))


@empirical_claim(
    "algoformer/cot-algoformer-equals-gd",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#cot-mlp (AlgoFormer's CoT-with-MLPs theorem, arXiv:2402.13572: unverified, body not read)",
    statement=r"pre = next-token copy + $\sigma_a^{-1}$ MLP, loop = multi-output LSA-GD over the step-$\ell$ tokens, post = $\sigma_a$: the output is $\sigma_a(W_t s^\ell_q)$, $W_t$ = GD on $\sum_i\|\sigma_a^{-1}(s^{\ell+1}_i) - Ws^\ell_i\|^2$",
    strategy=S.cot_prompts(),
    check_hypotheses=lambda c: stable_hypotheses(c.states[:, c.query.shape[0] - 1], c.frac, c.states, c.query),
    tolerance=TOL.loop_agreement,
    negative=NegativeControl("inverse leaky-ReLU MLP dropped from the pre-transformer",
                             evaluate=quietly(lambda c: _cot_loop(c, True))),
    positive=S.cot_prompts(T=(1, 60)),
    hypotheses=(r"$0 < \eta < 2/\lambda_{\max}$ of the step-$\ell$ states",),
)
def cot_loop(c: CotPrompt) -> Comparison:
    return _cot_loop(c, False)
