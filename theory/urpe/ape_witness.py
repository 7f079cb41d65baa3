r"""An APE network that outputs a position-dependent target on constant inputs (the mechanism of spec C1).

Yun et al.'s universality of APE transformers [unverified wording; arXiv:1912.10077] rests on the absolute
embeddings making positions distinguishable: with APE a network can output position-dependent values even on a
constant sequence, which no softmax-RPE network can (:mod:`attnlab.proofs_checks.urpe.lower_bound`). Explicit
one-layer witness [derived]: the model width is $d = d_x + n$, inputs live in the first $d_x$ channels (the
domain $D = \{X : X_{:, d_x:} = 0\}$), and

* APE: $E_i = e_{d_x + i}$ (one-hot in the n reserved channels, 1-based i);
* attention: $W_Q = W_K = W_V = 0$, $W_O = 0$ (the residual carries $X + E$ through);
* FFN, $\mathrm{ReLU}(X W_1) W_2$: $W_1$ reads the reserved channels ($W_1[d_x + i, i] = 1$), so the hidden unit i
  is $[\text{position} = i]$; $W_2$ row i writes $\alpha (i/n)$ into every input channel and $-1$ into the
  reserved channel $d_x + i$ (removing $E_i$ again); no LayerNorm.

Then $g(X)_i = X_i + \alpha\,(i/n)\,[1_{d_x}; 0_n]$ exactly, for every X in D, constant or not.
``as_rpe_bug`` builds the same weights with the position information in a T5 logit bias instead of the
embeddings (a wrong implementation for negative controls): the FFN then reads zeros and the output has no
position at all.
"""

from __future__ import annotations

import numpy as np

from attnlab.theory.urpe.positions import PositionParams
from attnlab.theory.urpe.transformer import Layer, Transformer

__all__ = ["ape_position_network", "ape_target"]


def ape_target(X: np.ndarray, d_x: int, alpha: float) -> np.ndarray:
    r"""$f(X)_i = X_i + \alpha (i/n) [1_{d_x}; 0]$, 1-based i."""
    n = X.shape[0]
    F = np.array(X, dtype=float)
    F[:, :d_x] += alpha * (np.arange(1, n + 1) / n)[:, None]
    return F


def ape_position_network(d_x: int, n: int, alpha: float, as_rpe_bug: bool = False) -> Transformer:
    """The witness above for sequences of length n (``n_max = n``); model width ``d_x + n``."""
    d = d_x + n
    z = np.zeros
    W1 = z((d, n))
    W1[d_x + np.arange(n), np.arange(n)] = 1.0
    W2 = z((n, d))
    W2[:, :d_x] = alpha * (np.arange(1, n + 1) / n)[:, None]
    W2[np.arange(n), d_x + np.arange(n)] = -1.0
    layer = Layer(Wq=z((1, d, 2)), Wk=z((1, d, 2)), Wv=z((1, d, 2)), bv=z((1, 2)), Wo=z((1, 2, d)),
                  W1=W1, b1=z(n), W2=W2, b2=z(d),
                  ln1_g=np.ones(d), ln1_b=z(d), ln2_g=np.ones(d), ln2_b=z(d))
    E = z((n, d))
    E[np.arange(n), d_x + np.arange(n)] = 1.0
    if as_rpe_bug:  # the position code moved into the logits: one bias per offset, no embeddings
        pos = PositionParams("t5", n, B=np.arange(2 * n - 1, dtype=float)[None, :])
    else:
        pos = PositionParams("ape", n, E=E)
    return Transformer((layer,), pos, causal=False, ln="none")
