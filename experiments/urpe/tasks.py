r"""The URPE synthetic tasks, seeded by step (training) or by a disjoint stream (validation).

Inputs are i.i.d. uniform tokens over ``vocab`` symbols [src: lsj2408/URPE synthetic_task.py draws ids
11..V-10, i.e. V - 20 symbols; we use ids 0..vocab-1]. Targets at 0-based position i:

* ``pi`` (Position Identification): i. All n positions are scored (the code drops position 0, whose
  label equals its pad id; we need no pad).
* ``etp`` (Even Token Prediction): for i < n/2 the input token at index 2i + 1 (the 1-based even positions), for
  i >= n/2 a filler class ``vocab``. A position-blind model reaches 50% with the filler; ``acc_nontrivial``
  scores only the first half.
* ``pi_const`` (spec section 7.6): PI on constant sequences (one token repeated); softmax-RPE models are provably
  at chance 1/n there (constant-sequence invariance), APE and URPE can reach 100%.

Generators: the training layer's per-step generator for training, ``step_generator(seed, 0, stream=1)`` for the
fixed validation set, so the two never share a stream (the released code's global-RNG replay, spec F1, cannot
happen here).
"""

from __future__ import annotations

import torch

from attnlab.gpu.training import Batch

__all__ = ["TASKS", "n_classes", "make_batch"]

TASKS = ("pi", "etp", "pi_const")


def n_classes(task: str, n: int, vocab: int) -> int:
    return n if task in ("pi", "pi_const") else vocab + 1


def make_batch(task: str, batch: int, n: int, vocab: int, g: torch.Generator) -> Batch:
    """One-hot inputs (batch, n, vocab), integer targets (batch, n); mask marks the scored positions."""
    dev = g.device
    if task == "pi_const":
        tok = torch.randint(0, vocab, (batch, 1), generator=g, device=dev).expand(batch, n)
    else:
        tok = torch.randint(0, vocab, (batch, n), generator=g, device=dev)
    x = torch.nn.functional.one_hot(tok, vocab).float()
    if task in ("pi", "pi_const"):
        y = torch.arange(n, device=dev).expand(batch, n)
    else:
        half = n // 2
        y = torch.full((batch, n), vocab, device=dev, dtype=torch.long)
        y[:, :half] = tok[:, 1::2][:, :half]
    return Batch(x, y.contiguous(), torch.ones(batch, n, dtype=torch.bool, device=dev))
