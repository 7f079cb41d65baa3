r"""MMTS B2 (``multi_input_converge.ipynb``): prompt paths on n = 3 inputs converge to $p^{mm}$ of the optimal
tokens; from $p_0 = 0$, NGD selects the optimal token within tens of steps and grows $\|p\|$ linearly, GD slower.

Data (notebook recipe, numpy RNG ``seed``): 2-D keys $0.2\,N(0, I)$ plus a shift, token 0 near (1, 0) with score
``opt_score``; tokens $1..\lfloor T/2 \rfloor$ near (-1, 1) and the last $\lfloor (T-1)/2\rfloor$ near
(-0.5, -0.5), score ``nonopt_score`` (the value's third coordinate; $v = e_3$, $Y = +1$). From each init
$p_0 = (x, 0)$, $x \in$ ``init_x``: NGD with ``eta_ngd`` and plain GD with ``eta_gd``, logistic loss. $p^{mm}$ is
solved for $\alpha = 0$. Rows: ``path`` (iterate, $\|p\|$, cosine with $p^{mm}$, mean softmax of token 0),
``svm`` ($p^{mm}$, $\tfrac12\|p^{mm}\|^2$, minimum margin), ``token`` (keys).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from attnlab.experiments.config import ExperimentConfig, check_log_every
from attnlab.experiments.figures import Figure
from attnlab.experiments.tf_svm._mmts import cosine, make_row, p_path, path_probs
from attnlab.theory.errors import ConfigError
from attnlab.theory.tf_svm.attention_svm import solve_prompt_svm

__all__ = ["Config", "run", "summarize", "FIGURE", "make_instance"]

COLUMNS = {"kind": "", "method": "", "init_x": float("nan"), "step": -1, "i": -1, "t": -1,
           "x": float("nan"), "y": float("nan"), "norm": float("nan"), "corr": float("nan"),
           "prob_opt": float("nan"), "value": float("nan")}


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """Notebook settings: n = 3, T = 7, noise 0.2, scores 1 / 0.5, NGD eta 0.1, GD eta 1, 1000 iterations (src)."""

    n: int = 3
    T: int = 7
    noise: float = 0.2
    opt_score: float = 1.0
    nonopt_score: float = 0.5
    init_x: tuple[float, ...] = (1.0, 0.5, 0.0, -0.5, -1.0, -1.5)
    steps: int = 1000
    eta_ngd: float = 0.1
    eta_gd: float = 1.0
    log_every: int = 1

    def validate(self):
        if self.n < 1 or self.T < 3:
            raise ConfigError(f"need n >= 1 and T >= 3 (one optimal and two groups); got n={self.n}, T={self.T}")
        if self.noise < 0 or not self.opt_score > self.nonopt_score:
            raise ConfigError(f"need noise >= 0 and opt_score > nonopt_score; got {self.noise}, "
                              f"{self.opt_score}, {self.nonopt_score}")
        if not self.init_x:
            raise ConfigError("init_x must list at least one initial p_x")
        if self.steps < 1 or self.eta_ngd <= 0 or self.eta_gd <= 0:
            raise ConfigError(f"need steps >= 1 and positive step sizes; got {self.steps}, {self.eta_ngd}, {self.eta_gd}")
        check_log_every(self.steps, self.log_every)

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), init_x=(0.0,), steps=30, log_every=10)

    @classmethod
    def smoke(cls):
        return cls(log_every=2)

    @classmethod
    def paper(cls):
        return cls()


def make_instance(cfg: Config, seed: int):
    """Keys (n, T, 2), values X (n, T, 3) with the score in the third coordinate, v = e3, Y = +1."""
    rng = np.random.default_rng(seed)
    keys = cfg.noise * rng.normal(size=(cfg.n, cfg.T, 2))
    keys[:, 0] += (1.0, 0.0)
    keys[:, 1:(cfg.T + 1) // 2] += (-1.0, 1.0)
    keys[:, (cfg.T + 1) // 2:] += (-0.5, -0.5)
    scores = np.full((cfg.n, cfg.T), cfg.nonopt_score)
    scores[:, 0] = cfg.opt_score
    X = np.concatenate([keys, scores[..., None]], axis=-1)
    return keys, X, np.array([0.0, 0.0, 1.0]), np.ones(cfg.n)


def run(cfg: Config, seed: int) -> list[dict]:
    keys, X, v, Y = make_instance(cfg, seed)
    sol = solve_prompt_svm(keys, np.zeros(cfg.n, dtype=int))
    pmm = sol.p if sol.optimal else None
    rows = []
    q = pmm if pmm is not None else np.full(2, np.nan)
    rows.append(make_row(COLUMNS, kind="svm", method="p_mm", x=q[0], y=q[1], norm=float(np.linalg.norm(q)),
                         value=0.5 * float(q @ q)))
    for i in range(cfg.n):
        for t in range(cfg.T):
            rows.append(make_row(COLUMNS, kind="token", i=i, t=t, x=keys[i, t, 0], y=keys[i, t, 1],
                                 value=X[i, t, 2]))
    for method, eta, normalized in (("ngd", cfg.eta_ngd, True), ("gd", cfg.eta_gd, False)):
        for x0 in cfg.init_x:
            steps, P = p_path(keys, X, v, Y, (x0, 0.0), cfg.steps, eta, cfg.log_every, normalized=normalized)
            prob = path_probs(keys, P)[:, :, 0].mean(axis=-1)
            corr, nrm = cosine(P, pmm), np.linalg.norm(P, axis=-1)
            for k, step in enumerate(steps):
                rows.append(make_row(COLUMNS, kind="path", method=method, init_x=x0, step=step, x=P[k, 0],
                                     y=P[k, 1], norm=nrm[k], corr=corr[k], prob_opt=prob[k]))
    return rows


def _at(rows, method, x0, step, col):
    """Seed-mean of ``col`` at the logged step closest to ``step`` for runs from init x0."""
    sel = [r for r in rows if r["kind"] == "path" and r["method"] == method and r["init_x"] == x0]
    if not sel:
        return float("nan")
    best = min({r["step"] for r in sel}, key=lambda s: abs(s - step))
    return float(np.mean([r[col] for r in sel if r["step"] == best]))


def summarize(rows: list[dict]) -> dict[str, float]:
    """Opt-token probability and norm from p0 = 0 at the steps the spec reads; final cosines with p^mm."""
    out = {
        "ngd_prob_opt_at_60_from_0": _at(rows, "ngd", 0.0, 60, "prob_opt"),
        "gd_prob_opt_at_200_from_0": _at(rows, "gd", 0.0, 200, "prob_opt"),
        "ngd_norm_at_200_from_0": _at(rows, "ngd", 0.0, 200, "norm"),
        "gd_norm_at_200_from_0": _at(rows, "gd", 0.0, 200, "norm"),
        "gd_norm_at_1000_from_0": _at(rows, "gd", 0.0, 1000, "norm"),
    }
    for method in ("ngd", "gd"):
        inits = sorted({r["init_x"] for r in rows if r["kind"] == "path" and r["method"] == method})
        finals = [_at(rows, method, x0, 10**9, "corr") for x0 in inits]
        out[f"{method}_min_corr_final"] = float(np.min(finals)) if finals else float("nan")
    svm = [r["value"] for r in rows if r["kind"] == "svm"]
    out["pmm_half_sq_norm"] = float(np.mean(svm)) if svm else float("nan")
    return out


FIGURE = Figure(
    id="tf_svm/mmts-multi-input",
    paper="tf_svm",
    title="MMTS multiple inputs: NGD / GD prompt paths converge to p^mm; opt-token softmax and ||p|| from p0 = 0",
    locator="MMTS (arXiv 2306.13596) multi-input convergence figure, reproduced from ucr-optml/max_margin_attention "
    "multi_input_converge.ipynb; figure number unverified (full text not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.tf_svm.mmts_multi_input:plot",
    choices="data drawn with numpy default_rng(seed), not the notebook's torch.Generator(0), so the noise (and p^mm) "
    "differ from the saved figure; float64, stable gradient, no eps in the NGD denominator (notebook float32, eps "
    "1e-12); p is 2-D (third coordinate inert); SVM by Clarabel with alpha = token 0 for every input; the "
    "margin hyperplane is drawn through the closest (opt, non-opt) key pair as in the notebook's get_margin",
)
