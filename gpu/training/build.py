r"""``build_model(spec)``: a seeded, initialised :class:`SequenceModel` of the requested kind.

Weights are drawn on the CPU in float32 under ``torch.manual_seed(seed)`` inside a forked RNG (the
caller's global RNG is untouched), then moved to ``device`` and ``dtype``: the same seed gives the
same initial model on every device. Linear and embedding weights follow GPT-2's init,
:math:`N(0, 0.02^2)` with zero biases and residual output projections scaled by
:math:`1/\sqrt{2 \cdot n_\text{layers}}`; LSTM and LayerNorm keep torch's defaults.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from attnlab.gpu.device import get_device
from attnlab.gpu.training.backbones import AttentionFreeBackbone, GPT2Backbone, LoopedBackbone, LSTMBackbone
from attnlab.gpu.training.sequence_model import LoopedModel, SequenceModel
from attnlab.gpu.training.spec import ModelSpec

__all__ = ["build_model"]

_STD = 0.02


def _backbone(spec: ModelSpec) -> nn.Module:
    if spec.kind == "gpt2":
        return GPT2Backbone(spec.d_model, spec.n_layers, spec.n_heads, spec.causal)
    if spec.kind == "looped":
        return LoopedBackbone(spec.d_model, spec.n_layers, spec.n_heads, spec.causal)
    if spec.kind == "lstm":
        return LSTMBackbone(spec.d_model, spec.n_layers)
    return AttentionFreeBackbone(spec.d_model, spec.n_layers)


def _init_gpt2(model: nn.Module, n_layers: int) -> None:
    for name, module in model.named_modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            std = _STD / math.sqrt(2 * n_layers) if name.endswith(("attn.proj", "mix.proj", "mlp.2")) else _STD
            nn.init.normal_(module.weight, 0.0, std)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)


def build_model(spec: ModelSpec, *, device=None, seed: int = 0, dtype: torch.dtype = torch.float32) -> SequenceModel:
    """Build the model ``spec`` describes: ``model(x)`` maps (B, L, d_in) to (B, L, d_out).

    Args:
        spec: what to build.
        device: a torch.device, or a string/None for :func:`attnlab.gpu.device.get_device`.
        seed: initial weights (same seed, same model, on any device).
        dtype: parameter dtype.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        cls = LoopedModel if spec.kind == "looped" else SequenceModel
        model = cls(spec, _backbone(spec))
        _init_gpt2(model, spec.n_layers)
    return model.to(device=get_device(device), dtype=dtype)
