r"""Named TF-SVM / MMTS instances, good and deliberately broken, shared by tests, claims and demos.

An instance holds tokens $X \in \mathbb{R}^{n\times T\times d}$, queries $Z \in \mathbb{R}^{n\times d}$, head
$v \in \mathbb{R}^d$ and labels $Y \in \{\pm1\}^n$. The MMTS toy instances carry prompt ``keys`` (n, T, d')
as well (their key map is $W = \mathrm{diag}(1, 1, 0)$ and $v = e_3$, so the third coordinate holds the score).
Generators follow the official notebooks: Gaussian tokens and queries normalised to the unit sphere, unit
Gaussian $v$ (umich-sota/TF-as-SVM, src).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnlab.theory.tf_svm.attention_model import check_instance

__all__ = [
    "TfSvmInstance",
    "random_instance",
    "equal_score_instance",
    "mmts_single_input",
    "mmts_joint",
    "mmts_loss_comparison",
    "vis1_instance",
    "duplicate_token_instance",
    "stationary_point_instance",
    "local_optimum_instance",
]


@dataclass(frozen=True)
class TfSvmInstance:
    """A validated instance; ``keys`` only for the prompt (MMTS) model."""

    X: np.ndarray
    Z: np.ndarray
    v: np.ndarray
    Y: np.ndarray
    name: str = ""
    keys: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        X, Z, v, Y = check_instance(self.X, self.Z, self.v, self.Y)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Z", Z)
        object.__setattr__(self, "v", v)
        object.__setattr__(self, "Y", Y)

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.X.shape  # (n, T, d)


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def random_instance(n: int, T: int, d: int, seed: int = 0, unit: bool = True, random_labels: bool = False,
                    self_attention: bool = False) -> TfSvmInstance:
    """Gaussian tokens and queries (unit-normalised when ``unit``), unit Gaussian v; Y = +1 unless ``random_labels``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, d))
    Z = rng.normal(size=(n, d))
    if unit:
        X, Z = _unit(X), _unit(Z)
    if self_attention:
        Z = X[:, 0, :].copy()
    v = _unit(rng.normal(size=d))
    Y = rng.choice([-1.0, 1.0], size=n) if random_labels else np.ones(n)
    return TfSvmInstance(X, Z, v, Y, f"random(n={n},T={T},d={d},seed={seed})")


def equal_score_instance(n: int, T: int, d: int, seed: int = 0, gap: float = 0.5,
                         labels: np.ndarray | None = None) -> TfSvmInstance:
    r"""Assumption B: in each input every non-optimal token has the same score $\gamma_{it} = c_i$, and token 0
    is optimal with $\gamma_{i0} = c_i + $ ``gap``. Built by moving tokens along $v$: $v^\top x_{it} = Y_i\gamma_{it}$,
    so the labels ``labels`` (default all $+1$) enter the scores, and dropping them breaks B on inputs with $Y_i = -1$."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, d)) / np.sqrt(d)
    Z = _unit(rng.normal(size=(n, d)))
    v = _unit(rng.normal(size=d))
    c = rng.normal(size=n) * 0.3
    Y = np.ones(n) if labels is None else np.asarray(labels, dtype=np.float64)
    target = np.repeat(c[:, None], T, axis=1)
    target[:, 0] += gap
    target = Y[:, None] * target  # v^T x_it = Y_i gamma_it
    X = X + (target - X @ v)[..., None] * v  # now v^T x_it = target_it exactly up to rounding
    tag = "" if labels is None else f",Y={''.join('+' if y > 0 else '-' for y in Y)}"
    return TfSvmInstance(X, Z, v, Y, f"equal_score(n={n},T={T},d={d},seed={seed}{tag})")


def _mmts(tokens2d, scores, Y, name) -> TfSvmInstance:
    t = np.asarray(tokens2d, dtype=np.float64)  # (n, T, 2)
    g = np.asarray(scores, dtype=np.float64)  # (n, T)
    X = np.concatenate([t, g[..., None]], axis=-1)  # third coordinate carries the score (v = e3)
    n = X.shape[0]
    Z = np.tile([1.0, 0.0, 0.0], (n, 1))  # unused by the prompt model; kept so the instance validates
    Yv = np.asarray(Y, dtype=np.float64)
    return TfSvmInstance(X, Z, np.array([0.0, 0.0, 1.0]), Yv, name, keys=t.copy())


def mmts_single_input(gamma_c: float = 0.9) -> TfSvmInstance:
    r"""MMTS single input (notebook ``single_input_converge``): a = (-0.1, 1), score 1; b = (1, 0), score 0.9;
    c = (0, 0), score ``gamma_c``. $p^{mm}_a = (-0.1, 1)/1.01$; $p^{mm}_b = (1, 0)$ with support {c}."""
    return _mmts([[[-0.1, 1.0], [1.0, 0.0], [0.0, 0.0]]], [[1.0, 0.9, gamma_c]], [1.0],
                 f"mmts_single_input(gamma_c={gamma_c})")


def mmts_joint(tight: bool = True) -> TfSvmInstance:
    r"""MMTS joint (v, p) example: inputs {(0,0), r_i} with r = (1,1), Y=+1; (1,-1), Y=-1; (0.5,1) or (0.5,1.5),
    Y=+1. Keys = values = the 2-D tokens (here v is the 2-D head of the joint model, not e3)."""
    third = (0.5, 1.0) if tight else (0.5, 1.5)
    t = np.array([[[0.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, -1.0]], [[0.0, 0.0], list(third)]])
    Z = np.tile([1.0, 0.0], (3, 1))
    return TfSvmInstance(t, Z, np.array([0.0, 1.0]), np.array([1.0, -1.0, 1.0]),
                         f"mmts_joint(tight={tight})", keys=t.copy())


def mmts_loss_comparison(C: float = 1.0) -> TfSvmInstance:
    """MMTS loss-dependence example: inputs {(0,0,0), (1,1,C)} and {(0,0,0), (1,-1,1)}, Y = +1, v = e3."""
    X = np.array([[[0.0, 0.0, 0.0], [1.0, 1.0, C]], [[0.0, 0.0, 0.0], [1.0, -1.0, 1.0]]])
    Z = np.tile([1.0, 0.0, 0.0], (2, 1))
    return TfSvmInstance(X, Z, np.array([0.0, 0.0, 1.0]), np.ones(2), f"mmts_loss_comparison(C={C})",
                         keys=X[..., :2].copy())


def vis1_instance(seed: int = 1) -> TfSvmInstance:
    """TF-SVM intro figure data (visualization1.ipynb): n=2, T=3, d=2, tokens 0.3 N(0, I) + (-1, 0) / (+1, 0)."""
    rng = np.random.default_rng(seed)
    shift = np.array([[[-1.0, 0.0]], [[1.0, 0.0]]])
    X = 0.3 * rng.normal(size=(2, 3, 2)) + shift
    Z = _unit(rng.normal(size=(2, 2)))
    v = _unit(rng.normal(size=2))
    return TfSvmInstance(X, Z, v, np.ones(2), f"vis1(seed={seed})")


def duplicate_token_instance(n: int = 3, T: int = 4, d: int = 5, seed: int = 0) -> TfSvmInstance:
    """BROKEN (not in general position): token 1 of input 0 repeats token 0, so any alpha with alpha_0 = 0
    has the constraint 0 >= 1 and Att-SVM is infeasible whatever d is."""
    inst = random_instance(n, T, d, seed)
    X = inst.X.copy()
    X[0, 1] = X[0, 0]
    return TfSvmInstance(X, inst.Z, inst.v, inst.Y, f"duplicate_token(n={n},T={T},d={d})")


def stationary_point_instance() -> TfSvmInstance:
    r"""BROKEN (under-parameterised, d = 1 < n): input 0 prefers $W \to +\infty$, input 1 prefers $W \to -\infty$;
    by symmetry $W = 0$ is a finite stationary point (the no-stationary-point theorem needs d >= n)."""
    X = np.array([[[1.0], [-1.0]], [[1.0], [-1.0]]])
    Z = np.ones((2, 1))
    return TfSvmInstance(X, Z, np.array([1.0]), np.array([1.0, -1.0]), "stationary_point(d=1)")


def local_optimum_instance(n: int, T: int, d: int, seed: int = 0, c: float = 2.0,
                           labels: np.ndarray | None = None) -> TfSvmInstance:
    r"""A locally optimal $\alpha = (1, \dots, 1) \ne \mathrm{opt} = (0, \dots, 0)$ with near-support gap
    $\delta = c - 1$, by construction (needs $d \ge \max(n, T)$).

    Queries are orthonormal, so Att-SVM($\alpha$) splits into one problem per input on $u_i = W z_i$. In input $i$
    tokens $1..T-1$ are unit Gaussians sorted by score (token 1 highest); $u_i$ is their max-margin solution with
    token 1 selected and $s$ an active token; then $x_{i0} = x_{i1} + c\,(x_{is} - x_{i1}) + w$ with $w \perp
    \mathrm{span}\{x_{i1} - x_{it}\}_{t \ge 2}$ (tokens $2..T-1$ first moved along $v$ to score at least 0.5 below
    token 1), so token 0 has margin exactly $c$ (not a support token) and $w$'s
    component along $v$ lifts its score to $\gamma_{i1} + 1$ (the optimal token). Every support token of $\alpha$
    scores below $\gamma_{i1}$: $\alpha$ is locally optimal and not optimal."""
    from attnlab.theory.tf_svm.attention_svm import solve_prompt_svm

    if d < max(n, T):
        raise ValueError(f"local_optimum_instance needs d >= max(n, T), got n={n}, T={T}, d={d}")
    rng = np.random.default_rng(seed)
    Z = np.linalg.qr(rng.normal(size=(d, d)))[0][:n]
    v = _unit(rng.normal(size=d))
    Y = np.ones(n) if labels is None else np.asarray(labels, dtype=np.float64)
    X = np.empty((n, T, d))
    for i in range(n):
        rest = _unit(rng.normal(size=(T - 1, d)))
        rest = rest[np.argsort(-Y[i] * (rest @ v))]  # token 1 (first of rest) scores highest among them
        g = Y[i] * (rest @ v)
        lower = np.minimum(g[1:], g[0] - 0.5)  # tokens 2.. score at least 0.5 below token 1 (moved along v)
        rest[1:] += (Y[i] * (lower - g[1:]))[:, None] * v
        X[i, 1:] = rest
        u = solve_prompt_svm(rest[None], np.array([0])).W
        diffs = rest[0] - rest[1:]
        s = 1 + int(np.argmin(diffs @ u))  # rest[s] is an active (support) token
        Q = np.linalg.qr(diffs.T)[0]
        Pv = v - Q @ (Q.T @ v)  # v projected off span{x_1 - x_t}
        g1, gs = Y[i] * rest[0] @ v, Y[i] * rest[s] @ v
        beta = Y[i] * (1.0 - c * (gs - g1)) / float(v @ Pv)
        X[i, 0] = rest[0] + c * (rest[s] - rest[0]) + beta * Pv
    tag = "".join("+" if y > 0 else "-" for y in Y)
    return TfSvmInstance(X, Z, v, Y, f"local_optimum(n={n},T={T},d={d},seed={seed},c={c},Y={tag})")
