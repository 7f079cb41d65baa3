r"""attnlab.theory.algoformer: explicit float64 transformers that run algorithms in a weight-tied loop.

AlgoFormer (Gao et al., arXiv 2402.13572 v1/v2) and the looped-transformer line it builds on (Yang et al.
2311.12424; Giannou et al. 2301.13196; von Oswald et al. 2212.07677). Spec: ``shared/papers/algoformer.md``.
Every construction here is [derived] (ours), verified against the direct algorithm in
:mod:`attnlab.proofs_checks.algoformer`; the paper's own theorems are [unverified] (PDF not read).

Public API (stable, issue 11): :func:`linear_attention`, :func:`gd_weights`.
"""

from attnlab.theory.algoformer.block import MLP as MLP
from attnlab.theory.algoformer.block import Block as Block
from attnlab.theory.algoformer.block import Head as Head
from attnlab.theory.algoformer.block import apply_block as apply_block
from attnlab.theory.algoformer.block import apply_blocks as apply_blocks
from attnlab.theory.algoformer.block import linear_attention as linear_attention
from attnlab.theory.algoformer.block import run_loop as run_loop
from attnlab.theory.algoformer.composition import AlgoFormer as AlgoFormer
from attnlab.theory.algoformer.composition import looped_forward as looped_forward
from attnlab.theory.algoformer.gd_step import gd_weights as gd_weights

__all__ = ["MLP", "Block", "Head", "apply_block", "apply_blocks", "linear_attention", "run_loop", "AlgoFormer",
           "looped_forward", "gd_weights"]
