r"""The three architectures compared in the paper, as compositions of :class:`~.block.Block`.

* **AlgoFormer** (spec §2.1 [src: abstract; notation ours]):
  :math:`H_0 = \mathrm{TF}_{pre}(H)`, :math:`H_{t+1} = \mathrm{TF}_{loop}(H_t)` for t < T,
  output :math:`\mathrm{TF}_{post}(H_T)`; the loop block's weights are shared across the T loops, pre and post
  have their own.
* **Vanilla looped transformer** (Yang et al. 2024, input injection [src: Leiay/looped_transformer]):
  :math:`Y_0 = 0`, :math:`Y_{t+1} = \mathrm{Block}(Y_t + E)`.
* **Standard transformer**: unshared blocks applied once each (:func:`~.block.apply_blocks`).

Yang's truncated-loss window is a training rule (``gpu/``), not part of the forward map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from attnlab.theory.algoformer.block import Block, apply_block, apply_blocks, run_loop

__all__ = ["AlgoFormer", "looped_forward", "looped_trace"]


@dataclass(frozen=True, eq=False)
class AlgoFormer:
    pre: tuple[Block, ...]
    loop: Block
    post: tuple[Block, ...]

    def __call__(self, H: np.ndarray, T: int) -> np.ndarray:
        return apply_blocks(run_loop(apply_blocks(H, self.pre), self.loop, T), self.post)

    def loop_trace(self, H: np.ndarray, T: int, read: Callable[[np.ndarray], np.ndarray],
                   post: bool = False) -> np.ndarray:
        """``read`` of the loop state (of ``post(state)`` when ``post``) after t = 0..T loops, stacked."""
        H = apply_blocks(H, self.pre)
        out = [read(apply_blocks(H, self.post) if post else H)]
        for _ in range(T):
            H = apply_block(H, self.loop)
            out.append(read(apply_blocks(H, self.post) if post else H))
        return np.stack(out)


def looped_forward(E: np.ndarray, block: Block, T: int) -> np.ndarray:
    """Yang et al.'s input-injected loop from :math:`Y_0 = 0`."""
    Y = np.zeros_like(E)
    for _ in range(T):
        Y = apply_block(Y + E, block)
    return Y


def looped_trace(E: np.ndarray, block: Block, T: int, read) -> np.ndarray:
    Y = np.zeros_like(E)
    out = [read(Y)]
    for _ in range(T):
        Y = apply_block(Y + E, block)
        out.append(read(Y))
    return np.stack(out)
