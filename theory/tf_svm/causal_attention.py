r"""Causal self-attention over sequences: query $k$ of sequence $i$ is the token $x_{ik}$ and sees the tokens
$x_{i1}, \dots, x_{ik}$ only.

Model (our formulation; the paper's sequential/causal statement was not read): output
$f_{ik} = v^\top X_{i,\le k}^\top \mathbb{S}(X_{i,\le k} W x_{ik})$ with label $Y_{ik}$, loss
$\mathcal{L}(W) = \frac{1}{N}\sum_{i, k \ge 2} \ell(Y_{ik} f_{ik})$ over the $N = n(T-1)$ queries that see at least two
tokens (query 1 sees only itself: its output does not depend on $W$). Causal Att-SVM:
$$W^{mm}_{causal} = \arg\min\|W\|_\diamond \ \text{s.t.}\ (x_{i\alpha_{ik}} - x_{it})^\top W x_{ik} \ge 1,\quad
t \le k,\ t \ne \alpha_{ik},$$
$\alpha_{ik} = \arg\max_{t \le k} Y_{ik} v^\top x_{it}$. Queries that see $k$ tokens form a group with fixed token
count $k$, so every group is a single-query instance of the package (:func:`causal_groups`) and loss, gradient and
SVM rows are sums over groups. ``causal=False`` gives every query all $T$ tokens (the non-causal model), which a
claim's negative control uses as its planted bug (the mask dropped).
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.errors import InvalidInputError
from attnlab.theory.tf_svm._margin_qp import solve_margin_problem
from attnlab.theory.tf_svm.attention_gd import grad_w
from attnlab.theory.tf_svm.attention_loss import Loss, loss_gap
from attnlab.theory.tf_svm.attention_model import optimal_tokens, token_scores
from attnlab.theory.tf_svm.attention_svm import att_svm_rows
from attnlab.theory.tf_svm.ball_descent import best_of, scale_onto_sphere, tuple_norm
from attnlab.theory.tf_svm.examples import TfSvmInstance

__all__ = ["causal_groups", "causal_selection", "solve_causal_att_svm", "causal_path_point"]


def causal_groups(X, v, Y, causal: bool = True) -> list[TfSvmInstance]:
    r"""One instance per query position $k = 2, \dots, T$: tokens $X_{i,\le k}$ (all $T$ tokens when not ``causal``),
    query $x_{ik}$, label $Y_{ik}$; X (n, T, d), v (d,), Y (n, T)."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 3 or Y.shape != X.shape[:2] or X.shape[1] < 2:
        raise InvalidInputError(f"need X (n, T, d) with T >= 2 and Y (n, T), got {X.shape} and {Y.shape}")
    T = X.shape[1]
    return [TfSvmInstance(X[:, : (k + 1 if causal else T)], X[:, k], v, Y[:, k], f"causal(k={k + 1})")
            for k in range(1, T)]


def causal_selection(groups: list[TfSvmInstance]) -> tuple[list[np.ndarray], bool]:
    """Each group's optimal tokens and whether every query's optimum is unique."""
    sel = [optimal_tokens(g.X, g.v, g.Y) for g in groups]
    return [a for a, _ in sel], all(bool(u.all()) for _, u in sel)


def solve_causal_att_svm(groups: list[TfSvmInstance], alphas: list[np.ndarray], norm: str = "fro"):
    r"""$(W, \text{status}, \text{objective})$ of the causal Att-SVM: the rows of every group stacked."""
    d = groups[0].X.shape[2]
    A = np.concatenate([att_svm_rows(g.X, g.Z, a).reshape(-1, d * d) for g, a in zip(groups, alphas, strict=True)])
    raw = solve_margin_problem(A, np.ones(A.shape[0]), (d, d), norm)
    return (raw.w.reshape(d, d) if raw.status == "optimal" else None), raw.status, raw.objective


def causal_path_point(groups: list[TfSvmInstance], R: float, restarts: int = 4, steps: int = 400, seed: int = 0,
                      loss: str | Loss = "logistic", start=None) -> np.ndarray:
    r"""Best $\bar W_R = \arg\min_{\|W\|_F \le R}\mathcal{L}(W)$ for the summed group loss (projected gradient with
    backtracking from ``restarts`` random starts plus ``start``)."""
    d = groups[0].X.shape[2]
    weights = [g.X.shape[0] for g in groups]
    total = float(sum(weights))
    gammas = [token_scores(g.X, g.v, g.Y) for g in groups]
    rng = np.random.default_rng(seed)
    starts = [(rng.normal(size=(d, d)),) for _ in range(restarts)]
    if start is not None:
        starts.append((np.asarray(start, dtype=np.float64),))

    def gap(w):
        return sum(n / total * float(loss_gap(g.X, g.Z @ w[0].T, gm, loss))
                   for n, g, gm in zip(weights, groups, gammas, strict=True))

    def grad(w):
        return (sum(n / total * grad_w(g.X, g.Z, g.v, g.Y, w[0], loss)[1] for n, g in zip(weights, groups, strict=True)),)

    def project(w):
        return w if tuple_norm(w) <= R else scale_onto_sphere(w, R)

    return best_of([scale_onto_sphere(s, R) for s in starts], gap, grad, project, R, steps)[0]
