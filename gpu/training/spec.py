r"""What to build: :class:`ModelSpec`, a frozen description of a sequence model (no torch needed).

Every kind maps :math:`x \in \mathbb{R}^{B \times L \times d_\text{in}}` to
:math:`\hat y \in \mathbb{R}^{B \times L \times d_\text{out}}` through the same read-in
(Linear :math:`d_\text{in} \to d_\text{model}`, plus a learned position embedding when
``position="learned"``) and read-out (Linear :math:`d_\text{model} \to d_\text{out}`):

* ``gpt2``: GPT-2-style pre-LN decoder, ``n_layers`` blocks of ``n_heads``-head attention + 4x MLP.
* ``lstm``: an ``n_layers`` LSTM of width ``d_model`` (causal by construction).
* ``looped``: one weight-tied stack of ``n_layers`` pre-LN blocks applied ``n_loops`` times with input
  injection, :math:`h_0 = 0,\ h_{t+1} = M(h_t + e)` (Yang, Lee, Nowak, Papailiopoulos, "Looped
  Transformers are Better at Learning Learning Algorithms", ICLR 2024, Sec. 3; our :math:`e` is their P).
* ``attention_free``: pre-LN blocks whose token mixer is a gated causal depthwise convolution plus a
  causal cumulative mean (no attention; see ``attention_free.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from attnlab.theory.errors import ConfigError

__all__ = ["ModelSpec", "MODEL_KINDS", "POSITIONS"]

MODEL_KINDS = ("gpt2", "lstm", "looped", "attention_free")
POSITIONS = ("learned", "none")
_CAUSAL_ONLY = ("lstm", "attention_free")


@dataclass(frozen=True)
class ModelSpec:
    """A sequence model: ``kind`` in MODEL_KINDS, sizes, and (for ``looped``) the default loop count.

    Attributes:
        kind: one of ``gpt2``, ``lstm``, ``looped``, ``attention_free``.
        d_in, d_out: read-in and read-out widths.
        d_model: hidden width (divisible by ``n_heads`` for the attention kinds).
        n_layers: blocks (gpt2, attention_free), LSTM layers, or blocks in the looped unit.
        n_heads: attention heads (gpt2, looped).
        max_len: the longest sequence (size of the learned position table).
        n_loops: default number of applications of the looped unit (looped only).
        causal: causal attention mask; ``lstm`` and ``attention_free`` are causal only.
        position: ``"learned"`` (a position table added after read-in) or ``"none"``.
    """

    kind: str
    d_in: int
    d_out: int
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 2
    max_len: int = 128
    n_loops: int = 1
    causal: bool = True
    position: str = "learned"

    def __post_init__(self):
        if self.kind not in MODEL_KINDS:
            raise ConfigError(f"unknown model kind {self.kind!r}; valid kinds: {', '.join(MODEL_KINDS)}")
        for name in ("d_in", "d_out", "d_model", "n_layers", "n_heads", "max_len", "n_loops"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
        if self.kind in ("gpt2", "looped") and self.d_model % self.n_heads:
            raise ConfigError(f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads})")
        if self.position not in POSITIONS:
            raise ConfigError(f"position must be one of {POSITIONS}, got {self.position!r}")
        if not self.causal and self.kind in _CAUSAL_ONLY:
            raise ConfigError(f"kind {self.kind!r} is causal only; use causal=True (or kind gpt2/looped)")

    def to_dict(self) -> dict:
        return asdict(self)
