r"""Errors of the explicit constructions and of the oracle least-squares baseline, per number of examples.

The construction for each task (:mod:`attnlab.theory.algoformer`) runs T loops with one step size
:math:`\eta_n` per context size n: :math:`\eta_n = 1/q_{0.99}(\lambda_{\max}(S_n))` over the evaluation prompts
(ours: a weight cannot depend on the prompt, spec pitfall 10, so we take a high quantile; prompts whose
:math:`\eta_n\lambda_{\max} \ge 2` would diverge and are rare). The oracle knows :math:`\Phi^*` and fits
minimum-norm least squares on the true features (the noiseless optimum once :math:`n \ge D_\Phi`).
"""

from __future__ import annotations

import numpy as np

from attnlab.experiments.algoformer.tasks import Prompts, Task
from attnlab.theory.algoformer import ar_process as ar
from attnlab.theory.algoformer import cot
from attnlab.theory.algoformer import representation as rp
from attnlab.theory.algoformer.baselines import ols
from attnlab.theory.algoformer.primitives import inverse_leaky_relu, leaky_relu

__all__ = ["construction_and_oracle"]


def _eta(Z: np.ndarray) -> float:
    lam = np.linalg.eigvalsh(np.swapaxes(Z, -1, -2) @ Z / Z.shape[-2])[..., -1]
    return float(1.0 / np.quantile(lam, 0.99))


def _mse(pred, target) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(np.mean((pred - target) ** 2, axis=-1)))


def construction_and_oracle(task: Task, p: Prompts, T: int) -> dict[str, dict[int, float]]:
    """{"construction": {n: err}, "oracle_ols": {n: err}}; scalar tasks divided by d (MSE/d)."""
    cons, orac = {}, {}
    if task.name in ("representation", "linear"):
        X, y = p.raw["X"], p.raw["y"]
        Z = p.raw["Z"] if task.name == "representation" else X
        for n in range(1, task.n_points):
            eta = _eta(Z[:, :n])
            if task.name == "representation":
                pred = rp.representation_predictions(X[:, :n], y[:, :n], X[:, n], task.Bs, task.a, eta, T)[-1]
            else:
                from attnlab.theory.algoformer.gd_step import gd_loop_predictions

                pred = gd_loop_predictions(X[:, :n], y[:, :n], X[:, n], eta, T)[-1]
            cons[n] = _mse(pred[:, None], y[:, n, None]) / task.d
            orac[n] = _mse(np.einsum("bk,bk->b", ols(Z[:, :n], y[:, :n]), Z[:, n])[:, None], y[:, n, None]) / task.d
    elif task.name == "ar":
        x, q = p.raw["x"], task.q
        Zall = rp.phi(ar.ar_windows(x, q), task.Bs, task.a)
        for t in range(q, task.n_points - 1):
            ctx = list(range(q - 1, t))
            eta = _eta(Zall[:, ctx])
            pred = ar.ar_predictions(x[:, :t + 1], task.Bs, task.a, q, eta, T)[-1]
            cons[t - q + 1] = _mse(pred, x[:, t + 1])
            Wo = np.stack([np.linalg.pinv(Zall[b, ctx]) @ x[b, [c + 1 for c in ctx]] for b in range(x.shape[0])])
            orac[t - q + 1] = _mse(np.einsum("bkd,bk->bd", Wo, Zall[:, t]), x[:, t + 1])
    else:  # cot
        s, L = p.raw["s"], task.steps
        for n in range(1, task.n_points):
            c_err, o_err = [], []
            for ell in range(L):
                eta = _eta(s[:, :n, ell])
                pred = cot.cot_predictions(s[:, :n], s[:, n, :ell + 1], task.a, eta, T)[-1]
                c_err.append(_mse(pred, s[:, n, ell + 1]))
                Wo = np.stack([np.linalg.pinv(s[b, :n, ell]) @ inverse_leaky_relu(s[b, :n, ell + 1], task.a)
                               for b in range(s.shape[0])])
                o_err.append(_mse(leaky_relu(np.einsum("bkd,bk->bd", Wo, s[:, n, ell]), task.a), s[:, n, ell + 1]))
            cons[n], orac[n] = float(np.mean(c_err)), float(np.mean(o_err))
    return {"construction": cons, "oracle_ols": orac}
