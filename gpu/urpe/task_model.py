r"""Token-level model for the URPE synthetic tasks: one-hot read-in, embedding LayerNorm, the RPE encoder of
:mod:`.transformer` (post-LN as fairseq RoBERTa), and a linear read-out to the output vocabulary.

The read-in is a bias-free Linear on one-hot tokens (an embedding table), so the model fits the training
layer's ``model(inputs)`` with inputs (B, L, V_in). The released code's RoBERTa LM head (dense, GELU, LN,
projection) is replaced by one Linear [our choice; spec F1].
"""

from __future__ import annotations

from torch import nn

from attnlab.gpu.urpe.transformer import build_rpe_transformer

__all__ = ["TokenModel"]


class TokenModel(nn.Module):
    """(B, L, v_in) one-hot -> (B, L, v_out) logits."""

    def __init__(self, family: str, v_in: int, v_out: int, n_max: int, d_model: int, n_layers: int, n_heads: int,
                 d_ff: int | None = None, ln: str = "post", seed: int = 0):
        super().__init__()
        self.read_in = nn.Linear(v_in, d_model, bias=False)
        self.emb_ln = nn.LayerNorm(d_model)
        self.encoder = build_rpe_transformer(family, n_layers, d_model, n_heads, n_max, ln=ln, d_ff=d_ff, seed=seed)
        self.read_out = nn.Linear(d_model, v_out)

    def forward(self, x):
        return self.read_out(self.encoder(self.emb_ln(self.read_in(x))))
