r"""C3-C5: the softmax Jacobian, the gradient and the Hessian of :math:`L(x) = \frac12\|f(A,x) - b\|_2^2`.

Each formula of :mod:`attnlab.theory.softmax_icl.softmax_regression` is compared with a numerical derivative on generated
instances: central differences (h = 1e-6) for the Jacobian of f, and the *complex step*
:math:`\partial_k F(x) = \mathrm{Im}\, F(x + i h e_k)/h` (h = 1e-20; no subtractive cancellation, f is
analytic; the softmax is shifted by the max of the real parts) for the gradient and the Hessian, so the
loss's magnitude does not leak into the error. Allowances use ``TOL.finite_difference`` relative to the
derived size of the derivative (:math:`\|A\|/2` for :math:`J_x`, :math:`\|A\|\|c\|/2` for the gradient,
:math:`\|A\|^2 \max|B|` for the Hessian). All formulas are [derived]: proofs in ``proofs_checks/softmax_icl/DERIVATIONS.md``.
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.softmax_icl import ascent, strategies
from attnlab.proofs_checks.softmax_icl.hypotheses import finite
from attnlab.proofs_checks.softmax_icl.instances import LogitInstance, SoftmaxInstance, spectral_norm
from attnlab.proofs_checks.softmax_icl.reference import (
    agree,
    checked,
    complex_step,
    csoftmax,
    jacobian_ref,
    softmax_ref,
)
from attnlab.theory._tolerances import TOL
from attnlab.theory.softmax_icl import softmax_regression as sr

__all__ = [
    "jacobian_matches_finite_differences",
    "jacobian_norm_at_most_half",
    "gradient_matches_complex_step",
    "hessian_matches_complex_step",
    "hessian_dls23_form_equivalent",
]

_FD_H = 1e-6


def _inst_hyp(inst: SoftmaxInstance) -> list[str]:
    return finite(A=inst.A, x=inst.x, b=inst.b)


def _identity(err: float, scale: float, policy) -> Comparison:
    return Comparison(lhs=float(err), rhs=0.0, allowance=policy.allowance(scale))


# ---------------------------------------------------------------- C3 Jacobian of f


def _jacobian_fd(A, x) -> np.ndarray:
    cols = []
    for k in range(x.shape[0]):
        e = np.zeros_like(x)
        e[k] = _FD_H
        cols.append((sr.f(A, x + e) - sr.f(A, x - e)) / (2 * _FD_H))
    return np.stack(cols, axis=1)  # (n, d)


def _jacobian_error(inst: SoftmaxInstance, jac) -> Comparison:
    p = sr.f(inst.A, inst.x)
    err = np.max(np.abs(jac(p) @ inst.A - _jacobian_fd(inst.A, inst.x)))
    return _identity(err, spectral_norm(inst.A) / 2, TOL.finite_difference)


@empirical_claim(
    "softmax_icl/softmax-jacobian-formula",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#softmax-jacobian",
    statement=r"$\partial f(A,x)/\partial x = J_u A$ with $J_u = \mathrm{diag}(f) - f f^\top$",
    strategy=strategies.softmax_instances(),
    positive=strategies.softmax_instances(),
    check_hypotheses=_inst_hyp,
    tolerance=TOL.finite_difference,
    negative=NegativeControl(
        "Jacobian without the rank-one term (diag(f) instead of diag(f) - f f^T)",
        evaluate=lambda inst: _jacobian_error(inst, np.diag),
    ),
    hypotheses=("entries finite",),
)
def jacobian_matches_finite_differences(inst: SoftmaxInstance) -> Comparison:
    return _jacobian_error(inst, sr.softmax_jacobian)


# ---------------------------------------------------------------- C3 ||J_u|| <= 1/2


def _jnorm(inst: LogitInstance, jac=None) -> Comparison:
    jac = jac or sr.softmax_jacobian
    J = jac(softmax_ref(inst.u))
    lam = float(np.linalg.eigvalsh(0.5 * (J + J.T))[-1])
    main = Comparison(lhs=lam, rhs=0.5, allowance=TOL.inequality.allowance(0.5))
    return checked(main, agree(J, jacobian_ref(inst.u), 1.0, TOL.finite_difference))


def _refine_jnorm(found, evaluate, budget, mutant) -> dict:
    rng = np.random.default_rng(budget.seed)
    extra, best = [], 0.0
    for _ in range(max(2, budget.instances // 50)):
        n = int(rng.choice([3, 5, 7]))
        u = ascent.ascend_two_way_tie(rng.normal(0, 1, n), radius=64.0)
        best = max(best, 2 * ascent.top_eig(u)[0])
        extra.append(LogitInstance(u, np.zeros(n)))
    ascent.extend_outcome(found, extra, lambda i: finite(u=i.u), evaluate)
    return {"ascent_best_2lambda_max": best, "ascent_instances": len(extra)}


@empirical_claim(
    "softmax_icl/softmax-jacobian-norm",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#jacobian-norm",
    statement=r"$\|J_u\|_2 = \lambda_{\max}(\mathrm{diag}(f) - ff^\top) \le \tfrac12$ for every $u \in \mathbb{R}^n$",
    strategy=strategies.logit_instances(),
    positive=strategies.logit_instances(),
    check_hypotheses=lambda i: finite(u=i.u),
    tolerance=TOL.inequality,
    negative=NegativeControl("planted bug: J_u = diag(f), its rank-one term -f f^T dropped",
                             evaluate=lambda i: _jnorm(i, np.diag)),
    refine=_refine_jnorm,
)
def jacobian_norm_at_most_half(inst: LogitInstance) -> Comparison:
    return _jnorm(inst)


# ---------------------------------------------------------------- C4 gradient


def _cgrad(A, z, b, sign: float = -1.0) -> np.ndarray:
    """The gradient formula in complex arithmetic (no conjugation), for the complex-step Hessian."""
    p = csoftmax(A @ z)
    c = p - b
    return A.T @ (p * c + sign * (p @ c) * p)


def _grad_error(inst: SoftmaxInstance, sign: float) -> Comparison:
    A, b = inst.A, inst.b

    def closs(z):
        c = csoftmax(A @ z) - b
        return 0.5 * (c @ c)

    ref = complex_step(closs, inst.x)
    ours = _cgrad(A, inst.x.astype(np.complex128), b, sign).real
    if sign < 0:
        ours = sr.grad(A, inst.x, b)  # the public function itself
    c = sr.f(A, inst.x) - b
    scale = max(float(np.max(np.abs(ref))), spectral_norm(A) * float(np.linalg.norm(c)) / 2)
    return _identity(np.max(np.abs(ours - ref)), scale, TOL.finite_difference)


@empirical_claim(
    "softmax_icl/gradient-formula",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#gradient",
    statement=r"$\nabla L(x) = A^\top(\mathrm{diag}(f) - ff^\top)(f - b) = A^\top[f\circ c - \langle f, c\rangle f]$",
    strategy=strategies.softmax_instances(),
    positive=strategies.softmax_instances(),
    check_hypotheses=_inst_hyp,
    tolerance=TOL.finite_difference,
    negative=NegativeControl(
        "sign of the <f, c> f term flipped", evaluate=lambda inst: _grad_error(inst, +1.0)
    ),
    hypotheses=("entries finite",),
)
def gradient_matches_complex_step(inst: SoftmaxInstance) -> Comparison:
    return _grad_error(inst, -1.0)


# ---------------------------------------------------------------- C5 Hessian


def sign_trap_middle(p, b) -> np.ndarray:
    r"""The *wrong* B(x) with :math:`+\langle f-b, f\rangle\mathrm{diag}(f)` (spec C5 sign trap): negative control."""
    return sr.hessian_middle(p, b) + 2 * ((p - b) @ p) * np.diag(p)


def _hess_error(inst: SoftmaxInstance, middle) -> Comparison:
    A, b = inst.A, inst.b
    ref = complex_step(lambda z: _cgrad(A, z, b), inst.x)
    p = sr.f(A, inst.x)
    ours = A.T @ middle(p, b) @ A
    if middle is sr.hessian_middle:
        ours = sr.hessian(A, inst.x, b)
    Bm = sr.hessian_middle(p, b)
    scale = max(float(np.max(np.abs(ref))), spectral_norm(A) ** 2 * float(np.max(np.abs(Bm))))
    return _identity(np.max(np.abs(ours - ref)), scale, TOL.finite_difference)


@empirical_claim(
    "softmax_icl/hessian-formula",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#hessian",
    statement=(
        r"$\nabla^2 L = A^\top B A$, $g = (2f-b)\circ f$, $B = \mathrm{diag}(g) - \langle f-b, f\rangle\mathrm{diag}(f)"
        r" - g f^\top - f g^\top + \langle 3f - 2b, f\rangle f f^\top$"
    ),
    strategy=strategies.softmax_instances(),
    positive=strategies.softmax_instances(),
    check_hypotheses=_inst_hyp,
    tolerance=TOL.finite_difference,
    negative=NegativeControl(
        "sign trap: +<f-b, f> diag(f) instead of -<f-b, f> diag(f)",
        evaluate=lambda inst: _hess_error(inst, sign_trap_middle),
    ),
    hypotheses=("entries finite",),
)
def hessian_matches_complex_step(inst: SoftmaxInstance) -> Comparison:
    return _hess_error(inst, sr.hessian_middle)


def dls23_middle(p, b, flip: float = 1.0) -> np.ndarray:
    r"""B(x) expanded into diagonal and rank-one pieces, the style of DLS23 (arXiv 2304.10411) [unverified form].

    :math:`B = 2\mathrm{diag}(f\circ f) - \mathrm{diag}(b\circ f) - \langle f, f\rangle\mathrm{diag}(f)
    + \langle b, f\rangle\mathrm{diag}(f) - 2(f\circ f)f^\top + (b\circ f)f^\top - 2f(f\circ f)^\top
    + f(b\circ f)^\top + (3\langle f,f\rangle - 2\langle b,f\rangle) ff^\top`.
    ``flip=-1`` flips the sign of :math:`(b\circ f) f^\top` (negative control).
    """
    ff, bf = p * p, b * p
    return (
        np.diag(2 * ff - bf)
        + (-(p @ p) + (b @ p)) * np.diag(p)
        - 2 * np.outer(ff, p)
        + flip * np.outer(bf, p)
        - 2 * np.outer(p, ff)
        + np.outer(p, bf)
        + (3 * (p @ p) - 2 * (b @ p)) * np.outer(p, p)
    )


def _dls_error(inst: SoftmaxInstance, flip: float) -> Comparison:
    p = sr.f(inst.A, inst.x)
    ref = sr.hessian_middle(p, inst.b)
    err = np.max(np.abs(dls23_middle(p, inst.b, flip) - ref))
    scale = 1.0 + float(np.max(np.abs(inst.b)))  # entries are sums of products of p (<= 1) and b
    return _identity(err, scale, TOL.float64_exact)


@empirical_claim(
    "softmax_icl/hessian-dls23-form",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#hessian-expanded (that DLS23, arXiv:2304.10411, print this form: unverified)",
    statement=r"the expanded diagonal-plus-rank-one write-up of $B(x)$ equals the compact form",
    strategy=strategies.softmax_instances(),
    positive=strategies.softmax_instances(),
    check_hypotheses=_inst_hyp,
    tolerance=TOL.float64_exact,
    negative=NegativeControl(
        "sign of the (b o f) f^T piece flipped in the expanded form", evaluate=lambda inst: _dls_error(inst, -1.0)
    ),
    hypotheses=("entries finite",),
)
def hessian_dls23_form_equivalent(inst: SoftmaxInstance) -> Comparison:
    return _dls_error(inst, 1.0)
