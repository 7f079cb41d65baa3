r"""Exact (sympy) one-step algebra of the constructions (spec §3 "Symbolic vs numeric split", [derived]).

* one LSA step with gd_weights on symbolic :math:`X \in \mathbb{R}^{3\times 2}`, y, w, :math:`\eta`, :math:`x_q`
  maps the residual slots :math:`y_i - w^\top x_i` and the query slot :math:`-w^\top x_q` to the same
  expressions at :math:`w' = w - \frac\eta 3 X^\top(Xw - y)`;
* the two ReLU heads of the token-carries-w layer add to :math:`-\frac\eta n\sum_i x_i(w^\top x_i - y_i)`
  (:math:`\mathrm{ReLU}(s) - \mathrm{ReLU}(-s) = s` for real s);
* Newton–Schulz: for symmetric :math:`S \in \mathbb{R}^{2\times2}` and any M, "double then LSA with scale
  -1/4" equals :math:`2M - MSM`, and :math:`I - SM' = (I - SM)^2`;
* the inverse leaky ReLU: :math:`\sigma_a^{-1}(\sigma_a(t)) = t` on both branches for a > 0.

A claim is proved-symbolic only when every residual simplifies to exactly 0; otherwise each residual is
evaluated at random rational points and a non-zero value is a counterexample (status failed).

No positive-control family: these checks draw no instances. Every symbol is free (X, y, w, S, M, eta, a with
only their sign assumptions), so the whole hypothesis set is covered at once and there is no hypothesis
check that a family could catch judging instances not applicable. The negative controls are planted bugs in
the computation (the query as a key, an un-negated head, the value read from the wrong slot, the inverse
slope a instead of 1/a); the first two use the package's own weights (``gd_weights``, ``bai_algoformer``).
"""

from __future__ import annotations

from attnlab.proofs_checks.registry import Outcome, claim
from attnlab.proofs_checks.symbolic_residuals import residual_outcome
from attnlab.theory._lazy import lazy_module

sp = lazy_module("sympy")

__all__ = ["lsa_step_is_gd_step", "relu_pair_is_gd_step", "newton_schulz_step", "inverse_leaky_relu_exact"]


def _verdict(residuals, budget, mutant: bool, negative: str, extra: dict | None = None, polynomial: bool = False) -> Outcome:
    """The shared residual verdict, with ``simplify`` (these identities hold after cancellation of sums);
    ``polynomial``: the residuals are polynomials, for which ``expand`` is an exact zero test (and much faster)."""
    details = dict(extra or {})
    if mutant:
        details["negative_control"] = negative
    # simplify first: the public weights enter as exact floats (0, 1, -1), whose products cancel only symbolically
    simplifier = sp.expand if polynomial else sp.simplify
    residuals = [simplifier(r) for r in residuals]
    return residual_outcome(residuals, budget, details, simplifier=simplifier, numerators=97, denominators=89)




def _lsa(Hrows, Q, K, V, keys, scale):
    """Sympy linear attention over the rows ``Hrows`` (column vectors)."""
    zero = sp.zeros(*Hrows[0].shape)
    return [h + scale * sum((((K * Hrows[i]).T * (Q * h))[0] * (V * Hrows[i]) for i in keys), zero) for h in Hrows]


@claim(
    "algoformer/lsa-step-is-gd-step-symbolic",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#lsa-gd-step",
    statement=r"sympy, $n=3$, $d=2$: one linear-attention step with the public gd_weights maps $(x_i, y_i - w^\top x_i)$ and $(x_q, -w^\top x_q)$ to the same slots at $w - \frac\eta n X^\top(Xw - y)$",
    kind="symbolic",
    negative="query token included as a key (keys 0..3, scale 1/4)",
)
def lsa_step_is_gd_step(budget, mutant: bool) -> Outcome:
    n, d = 3, 2
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    w = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"w{i}", real=True))
    xq = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"q{i}", real=True))
    eta = sp.Symbol("eta", positive=True)
    from attnlab.theory.algoformer import gd_weights

    Qn, Kn, Vn = gd_weights(d, 1.0)  # the public construction, with eta factored out of V
    P, Kp, V = sp.Matrix(Qn), sp.Matrix(Kn), eta * sp.Matrix(Vn)
    rows = [sp.Matrix([*X[i, :], y[i] - (X[i, :] * w)[0]]) for i in range(n)] + [sp.Matrix([*xq, -(xq.T * w)[0]])]
    keys = range(n + 1) if mutant else range(n)
    out = _lsa(rows, P, Kp, V, keys, sp.Rational(1, len(keys)))
    w_next = w - eta / n * X.T * (X * w - y)
    expected = [y[i] - (X[i, :] * w_next)[0] for i in range(n)] + [-(xq.T * w_next)[0]]
    residuals = [out[j][2] - expected[j] for j in range(n + 1)] + [out[j][k] - rows[j][k] for j in range(n + 1) for k in range(d)]
    return _verdict(residuals, budget, mutant, "query token included as a key", polynomial=True)


@claim(
    "algoformer/relu-pair-is-gd-step-symbolic",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#relu-pair-gd-step",
    statement=r"sympy, $n=3$, $d=2$, the construction's own Q, K, V, every sign pattern of the scores $s_i = w^\top x_i - y_i$: the two ReLU heads add exactly $-\frac\eta n\sum_i x_i(w^\top x_i - y_i)$ to the w-slot ($\mathrm{ReLU}(s) - \mathrm{ReLU}(-s) = s$)",
    kind="symbolic",
    negative="second head's query not negated (its ReLU(s) cancels the first head instead of adding ReLU(-s))",
)
def relu_pair_is_gd_step(budget, mutant: bool) -> Outcome:
    import itertools

    from attnlab.theory.algoformer import gd_step

    n, d = 3, 2
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    w = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"w{i}", real=True))
    p = [sp.Symbol(f"p{i}", positive=True) for i in range(n)]
    eta = sp.Symbol("eta", positive=True)
    (plus, minus), = gd_step.bai_algoformer(d, 1.0, n).loop.sublayers  # V built with eta = 1
    L = gd_step.bai_layout(d)
    heads = [(sp.Matrix(plus.Q), sp.Matrix(plus.V)), (sp.Matrix(plus.Q if mutant else minus.Q), sp.Matrix(minus.V))]
    K = sp.Matrix(plus.K)
    residuals = []
    # every sign pattern of the scores s_i = w^T x_i - y_i: y_i = w^T x_i - sign_i p_i with p_i > 0 (s_i = 0 is trivial)
    for signs in itertools.product((1, -1), repeat=n):
        y = [(X[i, :] * w)[0] - signs[i] * p[i] for i in range(n)]
        tok = [sp.Matrix([*X[i, :], y[i], *w, 1, 0]) for i in range(n)]
        query = sp.Matrix([*([0] * d), 0, *w, 1, 1])
        update = sp.zeros(L.D, 1)
        for Q, V in heads:
            for i in range(n):
                score = sp.expand(((K * tok[i]).T * (Q * query))[0])
                update += eta * (V * tok[i]) * sp.Max(score, 0) / n
        expected = -eta / n * sum((X[i, :].T * ((X[i, :] * w)[0] - y[i]) for i in range(n)), sp.zeros(d, 1))
        residuals += [sp.expand(update[L["w"].start + k] - expected[k]) for k in range(d)]
    return _verdict(residuals, budget, mutant, "second head's query not negated", {"sign_patterns": 2**n})


@claim(
    "algoformer/newton-schulz-step-symbolic",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#newton-schulz-loop",
    statement=r"sympy, symmetric $S \in \mathbb{R}^{2\times2}$, any $M$: doubling MLP then LSA (query $m_j$, key $s_k$, value $m_k$, scale $-1/4$) gives $2M - MSM$, and $I - S(2M - MSM) = (I - SM)^2$",
    kind="symbolic",
    negative="loop head's value reads s_k instead of m_k (a swapped slot)",
)
def newton_schulz_step(budget, mutant: bool) -> Outcome:
    s11, s12, s22 = sp.symbols("s11 s12 s22", real=True)
    S = sp.Matrix([[s11, s12], [s12, s22]])
    M = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"m{i}{j}", real=True))
    relu = lambda t: sp.Max(t, 0)  # noqa: E731
    doubled = M + M.applyfunc(relu) - M.applyfunc(lambda t: relu(-t))
    doubled = doubled.applyfunc(lambda t: sp.simplify(t.rewrite(sp.Piecewise)))
    value = S if mutant else doubled  # planted bug: the value reads s_k instead of m_k
    cols = [doubled[:, j] - sp.Rational(1, 4) * sum(((S[:, k].T * doubled[:, j])[0] * value[:, k] for k in range(2)),
                                                     sp.zeros(2, 1))
            for j in range(2)]
    M_next = sp.Matrix.hstack(*cols)
    I2 = sp.eye(2)
    residuals = list(M_next - (2 * M - M * S * M)) + list((I2 - S * M_next) - (I2 - S * M) ** 2)
    return _verdict(residuals, budget, mutant, "value reads s_k instead of m_k")


@claim(
    "algoformer/inverse-leaky-relu-symbolic",
    locator="derived: proofs_checks/algoformer/DERIVATIONS.md#inverse-leaky-relu",
    statement=r"sympy, $a > 0$: $\sigma_a^{-1}(\sigma_a(t)) = t$ for $t > 0$ and $t < 0$, with $\sigma_a(u) = \mathrm{ReLU}(u) - a\mathrm{ReLU}(-u)$, $\sigma_a^{-1}(v) = \mathrm{ReLU}(v) - \frac1a\mathrm{ReLU}(-v)$ (the MLP $v + (1 - 1/a)\mathrm{ReLU}(-v)$)",
    kind="symbolic",
    negative="inverse built with slope a instead of 1/a",
)
def inverse_leaky_relu_exact(budget, mutant: bool) -> Outcome:
    a = sp.Symbol("a", positive=True)
    residuals = []
    for t in (sp.Symbol("tp", positive=True), -sp.Symbol("tn", positive=True)):
        sig = sp.Max(t, 0) - a * sp.Max(-t, 0)
        inv = sig + (1 - (a if mutant else 1 / a)) * sp.Max(-sig, 0)
        residuals.append(inv - t)
    return _verdict(residuals, budget, mutant, "slope a instead of 1/a")
