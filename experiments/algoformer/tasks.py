r"""The three synthetic AlgoFormer tasks and plain linear regression, as prompts for trained models and for
the explicit constructions (spec §2.3; task details are [unverified] beyond their sources' abstracts).

A :class:`Task` fixes the shared representation :math:`\Phi^*` (a bias-free leaky-ReLU MLP, drawn once per
seed) and draws fresh per-prompt weights. Every prompt is a numpy draw from a generator seeded by the caller
(the training layer's per-step torch generator is turned into a numpy seed), so runs are reproducible.

* ``representation`` [src: Guo et al. 2023]: :math:`y = w^\top\Phi^*(x) + \varepsilon`, tokens interleaved
  :math:`(x_i, 0), (0, y_i)` in :math:`\mathbb{R}^{d+1}` (Garg/Yang layout); target :math:`y_i` at every
  x-token, so position 2i answers with i examples.
* ``ar``: :math:`x_{t+1} = W\Phi^*(\bar x_t) + \varepsilon_t`, window :math:`\bar x_t = (x_t, \ldots,
  x_{t-q+1})`; each sequence is divided by its RMS (exact for the task, since :math:`\Phi^*` is positively
  homogeneous); target :math:`x_{t+1}` at token t; token t answers with t - q + 1 examples.
* ``cot``: examples :math:`s^0, \ldots, s^L`, :math:`s^\ell = \sigma_a(W_\ell s^{\ell-1})`, written one
  token per step; target :math:`s^{\ell+1}` at step :math:`\ell < L`; example i answers with i examples.
* ``linear``: Yang et al.'s noiseless :math:`y = w^\top x`, :math:`w \sim N(0, I_d)`, interleaved as above.

Normalised error: MSE over output dims divided by d (Garg/Yang "normalized squared error" [src: Leiay notebooks]).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnlab.theory.algoformer.ar_process import ar_windows
from attnlab.theory.algoformer.primitives import leaky_relu
from attnlab.theory.algoformer.representation import phi
from attnlab.theory.errors import ConfigError

__all__ = ["TASKS", "Task", "Prompts", "make_task"]

TASKS = ("representation", "ar", "cot", "linear")


@dataclass(frozen=True)
class Prompts:
    """``inputs`` (B, L, d_in), ``targets`` (B, L, d_out), ``mask`` (B, L), ``n_examples`` (L,) ints, ``raw`` arrays."""

    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    n_examples: np.ndarray
    raw: dict


@dataclass(frozen=True, eq=False)
class Task:
    name: str
    d: int
    n_points: int  # examples per prompt (representation/linear/cot) or sequence length (ar)
    Bs: tuple
    a: float = 0.2
    q: int = 2
    steps: int = 2  # CoT steps L
    noise: float = 0.0

    @property
    def d_in(self) -> int:
        return self.d + 1 if self.name in ("representation", "linear") else self.d

    @property
    def d_out(self) -> int:
        return 1 if self.name in ("representation", "linear") else self.d

    @property
    def length(self) -> int:
        if self.name in ("representation", "linear"):
            return 2 * self.n_points
        return self.n_points * (self.steps + 1) if self.name == "cot" else self.n_points

    def sample(self, rng: np.random.Generator, B: int) -> Prompts:
        return getattr(self, f"_{self.name}")(rng, B)

    def interleave(self, X, y, raw) -> Prompts:
        """Garg/Yang layout of given examples: tokens (x_i, 0), (0, y_i); targets y_i at the x-tokens."""
        B, N, d = X.shape
        inp = np.zeros((B, 2 * N, d + 1))
        inp[:, 0::2, :d] = X
        inp[:, 1::2, d] = y
        tgt = np.zeros((B, 2 * N, 1))
        tgt[:, 0::2, 0] = y
        mask = np.zeros((B, 2 * N), bool)
        mask[:, 0::2] = True
        n_ex = np.repeat(np.arange(N), 2)
        return Prompts(inp, tgt, mask, n_ex, raw)

    def _representation(self, rng, B):
        X = rng.normal(size=(B, self.n_points, self.d))
        Z = phi(X, self.Bs, self.a)
        w = rng.normal(size=(B, Z.shape[-1]))
        y = np.einsum("bnk,bk->bn", Z, w) + self.noise * rng.normal(size=(B, self.n_points))
        return self.interleave(X, y, {"X": X, "y": y, "Z": Z, "w": w})

    def _linear(self, rng, B):
        X = rng.normal(size=(B, self.n_points, self.d))
        w = rng.normal(size=(B, self.d))
        y = np.einsum("bnd,bd->bn", X, w) + self.noise * rng.normal(size=(B, self.n_points))
        return self.interleave(X, y, {"X": X, "y": y, "w": w})

    def _ar(self, rng, B):
        N, d, q = self.n_points, self.d, self.q
        D = self.Bs[0].shape[0]
        W = rng.normal(size=(B, d, D)) / np.sqrt(D)
        x = np.zeros((B, N, d))
        x[:, :q] = rng.normal(size=(B, q, d))
        for t in range(q - 1, N - 1):
            win = ar_windows(x[:, :t + 1], q)[:, -1]
            x[:, t + 1] = np.einsum("bdk,bk->bd", W, phi(win, self.Bs, self.a)) + self.noise * rng.normal(size=(B, d))
        x /= np.sqrt(np.mean(x**2, axis=(1, 2), keepdims=True))
        tgt = np.zeros_like(x)
        tgt[:, :-1] = x[:, 1:]
        mask = np.zeros((B, N), bool)
        mask[:, q - 1:N - 1] = True
        return Prompts(x, tgt, mask, np.maximum(np.arange(N) - q + 1, 0), {"x": x, "W": W})

    def _cot(self, rng, B):
        N, d, L = self.n_points, self.d, self.steps
        Ws = rng.normal(size=(B, L, d, d)) * np.sqrt(2.0 / (d * (1 + self.a**2)))
        s = [rng.normal(size=(B, N, d))]
        for ell in range(L):
            s.append(leaky_relu(np.einsum("bij,bnj->bni", Ws[:, ell], s[-1]), self.a))
        s = np.stack(s, axis=2)  # (B, N, L+1, d)
        inp = s.reshape(B, N * (L + 1), d)
        tgt = np.zeros_like(inp)
        tgt[:, :-1] = inp[:, 1:]
        step = np.tile(np.arange(L + 1), N)
        mask = np.broadcast_to(step < L, (B, N * (L + 1))).copy()
        return Prompts(inp, tgt, mask, np.repeat(np.arange(N), L + 1), {"s": s, "Ws": Ws})


def make_task(name: str, d: int, n_points: int, D_phi: int = 8, depth: int = 2, q: int = 2, steps: int = 2,
              a: float = 0.2, noise: float = 0.0, seed: int = 0) -> Task:
    r"""A task with :math:`\Phi^*` drawn from ``seed`` and scaled so that :math:`E\|\Phi^*(x)\|^2 = D_\Phi`."""
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}; valid tasks: {', '.join(TASKS)}")
    rng = np.random.default_rng([seed, 7])
    d0 = q * d if name == "ar" else d
    Bs = [rng.normal(size=(D_phi, d0)) / np.sqrt(d0)] + [rng.normal(size=(D_phi, D_phi)) / np.sqrt(D_phi) for _ in range(depth - 1)]
    probe = phi(rng.normal(size=(4096, d0)), Bs, a)
    Bs[-1] = Bs[-1] * np.sqrt(D_phi / np.mean(np.sum(probe**2, axis=-1)))  # positive homogeneity: exact rescale
    return Task(name, d, n_points, tuple(Bs), a, q, steps, noise)
