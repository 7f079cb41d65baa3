r"""Scale-free form of $\min\|w\| \ \mathrm{s.t.}\ Aw \ge b$: row-normalised data, relative KKT residuals, Farkas rays.

**Normalisation.** The feasible set does not change when a row $a_k^\top w \ge b_k$ is divided by
$\|a_k\| > 0$, and the minimiser of $\|w\|$ scales by $1/\beta$ when $b$ does. With
$\beta = \max_k b_k/\|a_k\|$ (the largest single-constraint demand: every feasible $w$ has $\|w\|_2 \ge \beta$)
the solver sees

$$\hat a_k = a_k/\|a_k\|, \qquad \hat b_k = b_k/(\beta\|a_k\|) \le 1, \qquad \hat w = w/\beta,$$

unit rows and a largest right-hand side 1, whatever the scale of the tokens. Scaling every token by $c$ scales
the Att-SVM rows by $c^2$ and leaves $(\hat a, \hat b)$ unchanged up to one rounding, so the answer is
$W^{mm}(cX) = W^{mm}(X)/c^2$ to rounding. A near-duplicate token ($x_{it} = x_{i\alpha_i} + \delta$) gives a row of
norm $O(\delta)$ and a $\hat b_k = 1$: after normalisation it is an ordinary constraint, not a near-zero row that an
absolute tolerance mistakes for $0 \ge 1$. Rows $a_k = 0$ are decided exactly: $b_k > 0$ is infeasible
($e_k$ is an exact Farkas ray), $b_k \le 0$ is always met and dropped. Multipliers map back as
$\lambda_k = \beta\hat\lambda_k/\|a_k\|$ (Frobenius, $w = A^\top\lambda$) and $\lambda_k = \hat\lambda_k/\|a_k\|$
(nuclear: the subgradient $G = \mathrm{mat}(A^\top\lambda)$ is scale-free).

**Certificate.** Every KKT residual is measured in these units, so each is relative to the data's own scale
(no absolute floor): primal $\max_k(\hat b_k - \hat a_k^\top\hat w)_+$ (against $\max\hat b = 1$); dual
$\max(0, -\min\hat\lambda)/\max|\hat\lambda|$; complementarity $\max_k|\hat\lambda_k \hat r_k|$ and duality gap
against the objective ($\|\hat w\|^2$ resp. $\|\hat W\|_*$, both $\ge 1$ when feasible); stationarity
$\|\hat w - \hat A^\top\hat\lambda\|/\|\hat w\|$ (Frobenius) or $|\langle G,\hat W\rangle - \|\hat W\|_*|/\|\hat W\|_*
+ (\|G\|_2 - 1)_+$ (nuclear). ``condition`` $= \|\hat w\|$ (resp. $\|\hat W\|_*$) says how much larger the answer is
than the most demanding single constraint requires.

**Farkas ray.** $\lambda \ge 0$ with $b^\top\lambda > 0$ proves infeasibility only if $A^\top\lambda = 0$ exactly. In
floating point, with $g = \hat A^\top\lambda$ and $\sigma = \sum_k\lambda_k$: moving every unit row by $g/\sigma$
(length $\rho = \|g\|/\sigma$) gives rows with $(\hat A - \mathbf{1}g^\top/\sigma)^\top\lambda = 0$ exactly, an
infeasible system; and any feasible $w$ of the given data has $\|w\|_2 \ge \beta\,\hat b^\top\lambda/\|g\|_2$
($\|W\|_* \ge \beta\,\hat b^\top\lambda/\|\mathrm{mat}(g)\|_2$) since $\hat b^\top\lambda \le \langle g, \hat w\rangle$.
Infeasible is reported only when $\rho \le$ ``TOL.farkas`` (rounding level of the rows); otherwise the ray is
kept as a rigorous lower bound on the norm, and the status is ``ill-conditioned`` when nothing is certified.
Derived for attnlab (issue 7, item 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory._lazy import lazy_function
from attnlab.theory._tolerances import TOL, Tolerance

nnls = lazy_function("scipy.optimize", "nnls")  # scipy loads on first use, not when claims register

__all__ = ["Scaling", "Certificate", "FarkasRay", "scale_rows", "certificate", "farkas_ray"]


@dataclass(frozen=True)
class Scaling:
    """Row norms, kept rows and $\\beta$ of one problem; ``zero_infeasible`` is the index of a zero row with
    $b_k > 0$ (exactly infeasible) or -1."""

    row_norm: np.ndarray
    keep: np.ndarray
    beta: float
    zero_infeasible: int

    @property
    def trivial(self) -> bool:
        """Every right-hand side of a nonzero row is <= 0 (and no zero row demands > 0): w = 0 is optimal."""
        return self.zero_infeasible < 0 and not self.beta > 0

    def rows(self, A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = self.row_norm[self.keep]
        return A[self.keep] / r[:, None], b[self.keep] / r / self.beta

    def unscale(self, w_hat: np.ndarray, lam_hat: np.ndarray, norm: str) -> tuple[np.ndarray, np.ndarray]:
        lam = np.zeros(self.keep.size)
        factor = self.beta if norm == "fro" else 1.0
        lam[self.keep] = factor * lam_hat / self.row_norm[self.keep]
        return self.beta * w_hat, lam

    def rescale(self, w: np.ndarray, lam: np.ndarray, norm: str) -> tuple[np.ndarray, np.ndarray]:
        factor = self.beta if norm == "fro" else 1.0
        return w / self.beta, lam[self.keep] * self.row_norm[self.keep] / factor


def scale_rows(A: np.ndarray, b: np.ndarray) -> Scaling:
    """The normalisation of the module docstring (exact zero rows decided here, never by a tolerance)."""
    row = np.linalg.norm(A, axis=1)
    zero = row == 0.0
    bad = np.flatnonzero(zero & (b > 0))
    keep = ~zero
    beta = float(np.max(b[keep] / row[keep])) if keep.any() else 0.0
    return Scaling(row, keep, beta, int(bad[0]) if bad.size else -1)


@dataclass(frozen=True)
class Certificate:
    """KKT residuals of a returned solution in the normalised units (each relative, see module docstring)."""

    primal_infeasibility: float
    dual_infeasibility: float
    complementarity: float
    stationarity: float
    duality_gap: float
    condition: float  # ||w_hat|| (fro) or ||W_hat||_* (nuc); >= 1 for a feasible answer
    tolerance: Tolerance
    margin_violation: float = 0.0  # max over rows with b_k > 0 of (b_k - a_k^T w)_+ / b_k, each row in its own units

    @property
    def margins_resolved(self) -> bool:
        """Every demanded margin is met to ``TOL.margin`` of its own size, so support tokens can be read off.

        ``ok`` alone bounds the residuals relative to the whole problem: on an ill-conditioned instance (one
        constraint demanding a margin 1e9 times the others') that leaves the small constraints unresolved."""
        return bool(np.isfinite(self.margin_violation) and self.margin_violation <= TOL.margin.rtol)

    @property
    def residuals(self) -> tuple[float, ...]:
        return (self.primal_infeasibility, self.dual_infeasibility, self.complementarity, self.stationarity,
                self.duality_gap)

    @property
    def ok(self) -> bool:
        allow = self.tolerance.allowance(1.0)  # the residuals are already relative
        return bool(all(np.isfinite(r) and r <= allow for r in self.residuals))

    def to_dict(self) -> dict:
        names = ("primal_infeasibility", "dual_infeasibility", "complementarity", "stationarity", "duality_gap",
                 "condition", "margin_violation")
        return {k: getattr(self, k) for k in names} | {"tolerance": self.tolerance.to_dict(), "ok": self.ok,
                                                       "margins_resolved": self.margins_resolved}


def _rel(x: float, scale: float) -> float:
    return float(x) / scale if scale > 0 else float("inf") if x > 0 else 0.0


def certificate(A, b, w, lam, norm: str, shape, scaling: Scaling) -> tuple[Certificate, float]:
    """Relative KKT residuals of ``(w, lam)`` for the original ``A``, ``b``; returns (certificate, objective)
    with the objective in original units ($\\|w\\|_2$ resp. $\\|W\\|_*$)."""
    if scaling.trivial:  # w = 0 and lambda = 0 are exactly optimal; nothing to measure
        ok = not np.any(w) and not np.any(lam)
        bad = 0.0 if ok else float("inf")
        return Certificate(bad, bad, bad, bad, bad, 0.0, TOL.svm_kkt), 0.0
    Ah, bh = scaling.rows(A, b)
    wh, lh = scaling.rescale(w, lam, norm)
    r = Ah @ wh - bh
    lam_max = float(np.max(np.abs(lh))) if lh.size else 0.0
    if norm == "fro":
        g = Ah.T @ lh
        obj_h = float(wh @ wh)  # ||w_hat||^2 = b_hat^T lambda_hat at the optimum
        stat = _rel(np.linalg.norm(wh - g), float(np.sqrt(obj_h)))
        gap = abs(0.5 * obj_h - (float(bh @ lh) - 0.5 * float(g @ g)))
        cond, obj = float(np.sqrt(obj_h)), float(np.linalg.norm(w))
    else:
        Wh = wh.reshape(shape)
        G = (Ah.T @ lh).reshape(shape)
        obj_h = float(np.linalg.svd(Wh, compute_uv=False).sum())
        stat = _rel(abs(float(np.sum(G * Wh)) - obj_h), obj_h) + max(0.0, float(np.linalg.norm(G, 2)) - 1.0)
        gap = abs(obj_h - float(bh @ lh))
        cond, obj = obj_h, float(np.linalg.svd(w.reshape(shape), compute_uv=False).sum())
    cert = Certificate(
        primal_infeasibility=max(0.0, float(np.max(-r))) if r.size else 0.0,
        dual_infeasibility=_rel(max(0.0, float(-np.min(lh))) if lh.size else 0.0, lam_max),
        complementarity=_rel(float(np.max(np.abs(lh * r))) if r.size else 0.0, obj_h),
        stationarity=stat,
        duality_gap=_rel(gap, obj_h),
        condition=cond,
        tolerance=TOL.svm_kkt,
        margin_violation=float(np.max(np.maximum(b - A @ w, 0.0)[pos] / b[pos])) if (pos := b > 0).any() else 0.0,
    )
    return cert, obj


@dataclass(frozen=True)
class FarkasRay:
    r"""A candidate infeasibility ray, judged in normalised units (module docstring).

    ``row_perturbation`` $\rho$: moving every unit row by at most this makes $Aw \ge b$ exactly infeasible.
    ``norm_lower_bound``: every feasible solution of the *given* data has at least this norm (original units).
    """

    row_perturbation: float
    norm_lower_bound: float
    lam: np.ndarray  # the ray on the original rows (zero on dropped rows), scaled to b^T lam = 1

    @property
    def certifies_infeasible(self) -> bool:
        return bool(self.row_perturbation <= TOL.farkas.allowance(1.0))

    def to_dict(self) -> dict:
        return {"row_perturbation": self.row_perturbation, "norm_lower_bound": self.norm_lower_bound,
                "certifies_infeasible": self.certifies_infeasible, "tolerance": TOL.farkas.to_dict()}


def _judge(Ah, bh, lam, norm, shape, scaling: Scaling) -> FarkasRay | None:
    lam = np.maximum(np.nan_to_num(np.asarray(lam, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0), 0.0)
    bl = float(bh @ lam)
    if not bl > 0:
        return None
    lam = lam / bl
    g = Ah.T @ lam
    dual_norm = float(np.linalg.norm(g.reshape(shape), 2) if norm == "nuc" else np.linalg.norm(g))
    rho = float(np.linalg.norm(g)) / float(np.sum(lam))
    bound = scaling.beta / dual_norm if dual_norm > 0 else float("inf")
    full = np.zeros(scaling.keep.size)
    full[scaling.keep] = lam / scaling.row_norm[scaling.keep] / scaling.beta
    return FarkasRay(rho, bound, full)


def farkas_ray(A, b, ray_hat, norm: str, shape, scaling: Scaling) -> FarkasRay | None:
    r"""Judge the solver's ray ``ray_hat`` (on the normalised rows) and a non-negative least-squares polish of it,
    $\min_{\lambda\ge0}\|\hat A^\top\lambda\|^2 + (\hat b^\top\lambda - 1)^2$ (which reaches rounding level on an
    exactly infeasible system, where an interior-point ray stops near its own tolerance); the better one is kept.
    ``None`` when neither has $\hat b^\top\lambda > 0$."""
    Ah, bh = scaling.rows(A, b)
    cands = [] if ray_hat is None else [_judge(Ah, bh, ray_hat, norm, shape, scaling)]
    M = np.vstack([Ah.T, bh[None, :]])
    y = np.zeros(M.shape[0])
    y[-1] = 1.0
    try:
        lam, _ = nnls(M, y, maxiter=50 * M.shape[1])
        cands.append(_judge(Ah, bh, lam, norm, shape, scaling))
    except RuntimeError:  # nnls did not converge: keep the solver's ray alone
        pass
    cands = [c for c in cands if c is not None]
    return min(cands, key=lambda c: c.row_perturbation) if cands else None


def exact_zero_row_ray(scaling: Scaling, b: np.ndarray) -> FarkasRay:
    """The exact ray $e_k/b_k$ of a zero row with $b_k > 0$."""
    lam = np.zeros(scaling.keep.size)
    lam[scaling.zero_infeasible] = 1.0 / b[scaling.zero_infeasible]
    return FarkasRay(0.0, float("inf"), lam)
