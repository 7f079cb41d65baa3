r"""Regularised softmax regression (DLS23, arXiv 2304.10411, the line the paper builds on): a positive-definite Hessian.

:math:`L_{\mathrm{reg}}(x) = L(x) + \tfrac12\|\mathrm{diag}(w)Ax\|_2^2` has
:math:`\nabla^2 L_{\mathrm{reg}} = A^\top(B(x) + \mathrm{diag}(w^2))A`
(:mod:`attnlab.theory.softmax_icl.regularized`). For A of full column rank [derived]:

.. math::

    \lambda_{\min}(\nabla^2 L_{\mathrm{reg}}) \ge \big(\min_i w_i^2 - \|B(x)\|_2\big)\,\sigma_{\min}(A)^2 ,

since :math:`B + \mathrm{diag}(w^2) \succeq (\min_i w_i^2 - \|B\|_2) I` and :math:`A^\top A \succeq \sigma_{\min}(A)^2 I`.
So the Hessian is positive definite once :math:`\min_i w_i^2 > \|B(x)\|_2`, e.g. for every
:math:`w_i^2 > 11/4` when b is in the simplex (claim ``smoothness-constant``). The check also compares the package's
regularised gradient and Hessian with complex-step derivatives of the regularised loss written out here
(:mod:`.reference`). The exact DLS23 statement (their regulariser's form and constant l) is [unverified].
"""

from __future__ import annotations

import numpy as np

from attnlab.proofs_checks.record import Comparison
from attnlab.proofs_checks.registry import NegativeControl, empirical_claim
from attnlab.proofs_checks.softmax_icl import reference as ref
from attnlab.proofs_checks.softmax_icl import strategies
from attnlab.proofs_checks.softmax_icl.hypotheses import finite, in_simplex
from attnlab.proofs_checks.softmax_icl.instances import RegularizedInstance
from attnlab.theory._tolerances import TOL
from attnlab.theory.softmax_icl import regularized as reg
from attnlab.theory.softmax_icl import softmax_regression as sr

__all__ = ["regularized_hessian_positive_definite", "middle_norm_ref"]

#: A counts as full column rank when sigma_min >= this fraction of sigma_max (far above float64 rounding)
_RANK_FRACTION = 1e-6


def middle_norm_ref(A, x, b) -> float:
    r""":math:`\|B(x)\|_2` from the complex-step reference Hessian in the logits (not the package's formula)."""
    return float(np.linalg.norm(ref.hessian_u_ref(np.asarray(A) @ np.asarray(x), b), 2))


def _hyp(r: RegularizedInstance) -> list[str]:
    bad = finite(A=r.A, x=r.x, b=r.b, w=r.w)
    if bad:
        return bad
    out = in_simplex("b", r.b)
    n, d = r.A.shape
    s = np.linalg.svd(r.A, compute_uv=False)
    if n < d or s[-1] < _RANK_FRACTION * s[0]:
        out.append(f"A ({n} x {d}) is not of full column rank (sigma_min / sigma_max = {s[-1] / s[0]:.3g})")
    bn = middle_norm_ref(r.A, r.x, r.b)
    if not np.min(r.w) ** 2 > bn:
        out.append(f"min_i w_i^2 = {np.min(r.w) ** 2:.4g} <= ||B(x)||_2 = {bn:.4g}")
    return out


def _reg_refs(r: RegularizedInstance) -> tuple[np.ndarray, np.ndarray]:
    """Complex-step gradient of the regularised loss and Hessian (from the reference gradient in the logits)."""
    A, b, w2 = r.A, r.b, r.w * r.w

    def closs(z):
        c = ref.csoftmax(A @ z) - b
        v = A @ z
        return 0.5 * np.sum(c * c) + 0.5 * np.sum(w2 * v * v)

    def cgrad(z):
        u = A @ z
        return A.T @ (ref.loss_grad_in_u(u, b) + w2 * u)

    return ref.complex_step(closs, r.x), ref.complex_step(cgrad, r.x)


def _pd(r: RegularizedInstance, hessian=None) -> Comparison:
    hessian = hessian or reg.hessian_regularized
    H = hessian(r.A, r.x, r.b, r.w)
    g = reg.grad_regularized(r.A, r.x, r.b, r.w)
    g_ref, H_ref = _reg_refs(r)
    s = np.linalg.svd(r.A, compute_uv=False)
    Hnorm = float(np.max(np.abs(np.linalg.eigvalsh(H_ref))))
    lam_min = float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])
    bound = (float(np.min(r.w)) ** 2 - middle_norm_ref(r.A, r.x, r.b)) * float(s[-1]) ** 2
    main = Comparison(bound, lam_min, TOL.inequality.allowance(Hnorm))  # bound <= lambda_min
    return ref.checked(
        main,
        ref.agree(H, H_ref, Hnorm, TOL.finite_difference),
        ref.agree(g, g_ref, max(float(np.max(np.abs(g_ref))), Hnorm * float(np.linalg.norm(r.x))),
                  TOL.finite_difference),
    )


def _dropped_regulariser(A, x, b, w):
    """Planted bug: the regularised Hessian without the regulariser's A^T diag(w^2) A."""
    return sr.hessian(A, x, b)


@empirical_claim(
    "softmax_icl/regularized-hessian-pd",
    locator="derived: proofs_checks/softmax_icl/DERIVATIONS.md#regularized-hessian (DLS23's own statement: unverified)",
    statement=(
        r"$\nabla^2(L + \tfrac12\|\mathrm{diag}(w)Ax\|^2) = A^\top(B + \mathrm{diag}(w^2))A$ and, for $A$ of full "
        r"column rank, $\lambda_{\min} \ge (\min_i w_i^2 - \|B(x)\|_2)\sigma_{\min}(A)^2 > 0$ when "
        r"$\min_i w_i^2 > \|B(x)\|_2$"
    ),
    strategy=strategies.regularized_instances(),
    positive=strategies.regularized_instances(positive=True),
    check_hypotheses=_hyp,
    tolerance=TOL.inequality,
    negative=NegativeControl(
        "planted bug: the regulariser's term A^T diag(w^2) A dropped from the Hessian",
        evaluate=lambda r: _pd(r, _dropped_regulariser),
    ),
    hypotheses=(r"$b$ in the simplex", r"$A$ of full column rank ($n \ge d$)", r"$\min_i w_i^2 > \|B(x)\|_2$"),
)
def regularized_hessian_positive_definite(r: RegularizedInstance) -> Comparison:
    return _pd(r)
