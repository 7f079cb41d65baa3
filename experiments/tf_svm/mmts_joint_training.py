r"""MMTS B3 (``joint_training.ipynb``): joint NGD on the head $v$ and the prompt $p$; $v$ tends to $v^{mm}$ and
$p$ to $p^{relax}$, which equals $p^{mm}$ when every input is a support vector of $v^{mm}$ (tight case).

Instance :func:`attnlab.theory.tf_svm.examples.mmts_joint` (keys = values = 2-D tokens, $f_i = v^\top X_i^\top
\mathbb{S}(X_i p)$, logistic loss). Joint NGD by :func:`attnlab.theory.tf_svm.attention_gd.run_gd_vp` (float64):
$\nabla_p$ the stable gradient with scores $\gamma_{it} = Y_i v^\top x_{it}$ (summed over inputs), and
$\nabla_v = \tfrac1n\sum_i \ell'(u_i)Y_i X_i^\top s_i$; each is normalised separately (notebook). $\alpha$ = the relevant token 1 of every input;
$v^{mm}$ by :func:`attnlab.theory.tf_svm.attention_svm.solve_head_svm`; $p^{relax}$ relaxes the inputs that are not active
constraints of $v^{mm}$ (support = margin 1 within ``TOL.margin``). Rows: ``path`` (p, v, cosines, mean softmax
of token 1, mean logistic probability $\sigma(Y_i f_i)$) and ``svm`` (p_mm, p_relax, v_mm).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit

from attnlab.experiments.config import ExperimentConfig, check_log_every
from attnlab.experiments.figures import Figure
from attnlab.experiments.tf_svm._mmts import cosine, make_row, path_probs
from attnlab.theory.errors import ConfigError
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_vp
from attnlab.theory.tf_svm.attention_svm import solve_head_svm, solve_prompt_svm
from attnlab.theory.tf_svm.examples import mmts_joint

__all__ = ["Config", "run", "summarize", "FIGURE", "joint_ngd"]

COLUMNS = {"kind": "", "case": "", "step": -1, "label": "", "p_x": float("nan"), "p_y": float("nan"),
           "v_x": float("nan"), "v_y": float("nan"), "corr_p_mm": float("nan"), "corr_p_relax": float("nan"),
           "corr_v": float("nan"), "prob_rel": float("nan"), "prob_logistic": float("nan")}


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """Notebook settings: p0 = (0, -1), v0 = (-1, 0), NGD on both with eta 0.1, 1000 iterations (src)."""

    cases: tuple[str, ...] = ("tight", "loose")
    p0: tuple[float, ...] = (0.0, -1.0)
    v0: tuple[float, ...] = (-1.0, 0.0)
    steps: int = 1000
    eta: float = 0.1
    log_every: int = 1

    def validate(self):
        if not self.cases or any(c not in ("tight", "loose") for c in self.cases):
            raise ConfigError(f"cases must be a non-empty subset of ('tight', 'loose'); got {self.cases}")
        if len(self.p0) != 2 or len(self.v0) != 2:
            raise ConfigError(f"p0 and v0 must have 2 entries; got {self.p0}, {self.v0}")
        if self.steps < 1 or self.eta <= 0:
            raise ConfigError(f"need steps >= 1 and eta > 0; got steps={self.steps}, eta={self.eta}")
        check_log_every(self.steps, self.log_every)

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), steps=30, log_every=10)

    @classmethod
    def smoke(cls):
        return cls(log_every=2)

    @classmethod
    def paper(cls):
        return cls()


def joint_ngd(X, Y, p0, v0, steps: int, eta: float, log_every: int):
    """Logged steps, p iterates (L, d), v iterates (L, d) of joint NGD (keys = values = X) by
    :func:`attnlab.theory.tf_svm.attention_gd.run_gd_vp`; stops early on an exactly zero gradient."""
    res = run_gd_vp(X, X, Y, np.asarray(p0, dtype=np.float64), np.asarray(v0, dtype=np.float64),
                    GdConfig(steps=steps, eta=eta, log_every=log_every))
    return (np.array(res.log_steps, dtype=int), np.stack([p for p, _ in res.log_params]),
            np.stack([v for _, v in res.log_params]))


def run(cfg: Config, seed: int) -> list[dict]:
    """Deterministic instances and inits: ``seed`` only labels the cell."""
    rows = []
    for case in cfg.cases:
        inst = mmts_joint(tight=case == "tight")
        X, Y = inst.X, inst.Y
        n = X.shape[0]
        alpha = np.ones(n, dtype=int)
        vs = solve_head_svm(X, Y, alpha)
        relax = ~vs.support[:, 0] if vs.optimal else None
        sols = {"v_mm": vs, "p_mm": solve_prompt_svm(inst.keys, alpha),
                "p_relax": solve_prompt_svm(inst.keys, alpha, relax=relax)}
        dirs = {k: (s.p if s.optimal else None) for k, s in sols.items()}
        for lab, q in dirs.items():
            q = q if q is not None else np.full(2, np.nan)
            if lab == "v_mm":
                rows.append(make_row(COLUMNS, kind="svm", case=case, label=lab, v_x=q[0], v_y=q[1]))
            else:
                rows.append(make_row(COLUMNS, kind="svm", case=case, label=lab, p_x=q[0], p_y=q[1]))
        steps, P, V = joint_ngd(X, Y, cfg.p0, cfg.v0, cfg.steps, cfg.eta, cfg.log_every)
        S = path_probs(inst.keys, P)  # (L, n, T)
        f = np.einsum("ntd,lnt,ld->ln", X, S, V)
        prob_log = expit(Y * f).mean(axis=-1)
        cpm, cpr, cv = cosine(P, dirs["p_mm"]), cosine(P, dirs["p_relax"]), cosine(V, dirs["v_mm"])
        for k, step in enumerate(steps):
            rows.append(make_row(COLUMNS, kind="path", case=case, step=step, p_x=P[k, 0], p_y=P[k, 1],
                                 v_x=V[k, 0], v_y=V[k, 1], corr_p_mm=cpm[k], corr_p_relax=cpr[k], corr_v=cv[k],
                                 prob_rel=S[k, :, 1].mean(), prob_logistic=prob_log[k]))
    return rows


def _path(rows, case):
    return sorted((r for r in rows if r["kind"] == "path" and r["case"] == case), key=lambda r: r["step"])


def _at(rows, case, step, col):
    sel = _path(rows, case)
    if not sel:
        return float("nan")
    return float(min(sel, key=lambda r: abs(r["step"] - step))[col])


def summarize(rows: list[dict]) -> dict[str, float]:
    """Final cosines of p with p^relax / p^mm and of v with v^mm per case; panel (c) values for the tight case."""
    out: dict[str, float] = {}
    for case in ("tight", "loose"):
        for col in ("corr_p_relax", "corr_p_mm", "corr_v"):
            out[f"{col}_final_{case}"] = _at(rows, case, 10**9, col)
        svm = {r["label"]: r for r in rows if r["kind"] == "svm" and r["case"] == case}
        if "p_mm" in svm and "p_relax" in svm:
            a = np.array([svm["p_mm"]["p_x"], svm["p_mm"]["p_y"]])
            b = np.array([svm["p_relax"]["p_x"], svm["p_relax"]["p_y"]])
            out[f"corr_p_mm_p_relax_{case}"] = float(cosine(a, b)[0])
            out[f"p_mm_half_sq_norm_{case}"] = 0.5 * float(a @ a)
        else:
            out[f"corr_p_mm_p_relax_{case}"] = out[f"p_mm_half_sq_norm_{case}"] = float("nan")
    early = [r for r in _path(rows, "tight") if r["step"] <= 200]
    out["prob_rel_at_0_tight"] = _at(rows, "tight", 0, "prob_rel")
    out["prob_rel_min_tight"] = float(min((r["prob_rel"] for r in early), default=float("nan")))
    out["prob_rel_at_90_tight"] = _at(rows, "tight", 90, "prob_rel")
    out["prob_logistic_at_0_tight"] = _at(rows, "tight", 0, "prob_logistic")
    out["prob_logistic_at_60_tight"] = _at(rows, "tight", 60, "prob_logistic")
    return out


FIGURE = Figure(
    id="tf_svm/mmts-joint-training",
    paper="tf_svm",
    title="MMTS joint (v, p) training: v -> v^mm, p -> p^relax (= p^mm when tight); softmax and logistic probabilities",
    locator="MMTS (arXiv:2306.13596, NeurIPS 2023 version): Figure 3 according to the caption quoted by the liner.com "
    "review ('(a) and (b) Joint convergence of attention weights p and classifier head v to max-margin directions. "
    "(c) Averaged softmax probability evolution of optimal tokens and logistic probability evolution of output'); "
    "number unverified in the paper itself (full text not read); reproduced from ucr-optml/max_margin_attention "
    "joint_training.ipynb",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.tf_svm.mmts_joint_training:plot",
    choices="float64, no eps in the normalisations (notebook float32, eps 1e-19 on p and 1e-9 on v); v^mm by "
    "Clarabel (notebook: sklearn LinearSVC C=1e9, no intercept); 'support vector of v^mm' means an active margin "
    "(within TOL.margin), so in the tight case input 3, active with zero dual, is kept and p^relax = p^mm (the "
    "notebook's second printed solve, 0.5 = (1/2)||(1, 0)||^2, suggests it may have relaxed it; unverified)",
)
