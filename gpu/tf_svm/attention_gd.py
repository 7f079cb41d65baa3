r"""Batched (normalised) GD on $W$, $(K, Q)$, $p$ or joint $(v, p)$ for $B$ TF-SVM instances at once, in torch.

The parameterisations, the loop and the stopping rules are those of :mod:`attnlab.theory.tf_svm.attention_gd`
(one code path, given torch operations by :func:`attnlab.gpu.optim.torch_ops`; :func:`on_device` runs any of
them, ``batched_gd_w``/``batched_gd_kq`` are the two the figures call); only the stable gradient has a torch twin
here, :class:`TorchScoreGrad`, the same formulas as
:class:`attnlab.theory.tf_svm.attention_loss.ScoreGrad` (there the math). Results are float64 numpy and equal
the numpy runs on CPU at ``TOL.gpu_float64``. float64 by default; the device comes only from
:func:`attnlab.gpu.device.get_device`.
"""

from __future__ import annotations

from attnlab.theory.tf_svm import attention_gd as _theory
from attnlab.theory.tf_svm.attention_gd import BatchGdResult, GdConfig
from attnlab.theory.tf_svm.attention_loss import Loss, get_loss

__all__ = ["TorchScoreGrad", "on_device", "batched_gd_w", "batched_gd_kq"]

_EXP_FLOOR = -746.0  # as in theory: exp underflows to exactly 0 below it (float64 and float32)


class TorchScoreGrad:
    r"""Torch twin of :class:`~attnlab.theory.tf_svm.attention_loss.ScoreGrad`: ``(L, U, s, dl)`` at queries q."""

    def __init__(self, keys, gamma, loss: str | Loss = "logistic"):
        self.keys, self.gamma, self.loss = keys, gamma, get_loss(loss).name
        self.dgamma = gamma[..., :, None] - gamma[..., None, :]
        self._ref = None
        self._kd = None

    def _value_deriv(self, u):
        import torch

        if self.loss == "logistic":
            return torch.logaddexp(torch.zeros_like(u), -u), -torch.sigmoid(-u)
        if self.loss == "exponential":
            return torch.exp(-u), -torch.exp(-u)
        return -u, -torch.ones_like(u)

    def __call__(self, q):
        import torch

        keys = self.keys
        logits = (keys @ q[..., None])[..., 0]
        ref = torch.argmax(logits, dim=-1)
        logits = (logits - torch.take_along_dim(logits, ref[..., None], dim=-1)).clamp_min(_EXP_FLOOR)
        e = torch.exp(logits)
        s = e / e.sum(-1, keepdim=True)
        centred = (self.dgamma @ s[..., None])[..., 0]
        if self._ref is None or self._ref.shape != ref.shape or not torch.equal(ref, self._ref):
            kb = keys.expand(ref.shape + keys.shape[-2:])
            self._ref, self._kd = ref, kb - torch.take_along_dim(kb, ref[..., None, None], dim=-2)
        value, dl = self._value_deriv((s * self.gamma).sum(-1))
        U = ((s * centred)[..., None, :] @ self._kd)[..., 0, :] * (dl / keys.shape[-3])[..., None]
        return value.mean(-1), U, s, dl


def on_device(fn, *args, device=None, dtype: str = "float64", **kw) -> BatchGdResult:
    """Run a batched function of :mod:`attnlab.theory.tf_svm.attention_gd` (``batched_gd_w``, ``_kq``, ``_p``,
    ``_vp``) in torch on ``device`` (:func:`attnlab.gpu.device.get_device`) in ``dtype``."""
    import torch

    from attnlab.gpu.optim import torch_ops

    with torch.no_grad():
        return fn(*args, ops=torch_ops(device, dtype), score_grad=TorchScoreGrad, **kw)


def batched_gd_w(X, Z, v, Y, W0, cfg: GdConfig, loss: str = "logistic", device=None, dtype: str = "float64",
                 **kw) -> BatchGdResult:
    """:func:`attnlab.theory.tf_svm.attention_gd.batched_gd_w` in torch on ``device``."""
    return on_device(_theory.batched_gd_w, X, Z, v, Y, W0, cfg, loss, device=device, dtype=dtype, **kw)


def batched_gd_kq(X, Z, v, Y, K0, Q0, cfg: GdConfig, loss: str = "logistic", device=None, dtype: str = "float64",
                  **kw) -> BatchGdResult:
    """:func:`attnlab.theory.tf_svm.attention_gd.batched_gd_kq` in torch on ``device``."""
    return on_device(_theory.batched_gd_kq, X, Z, v, Y, K0, Q0, cfg, loss, device=device, dtype=dtype, **kw)
