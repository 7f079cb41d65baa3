r"""MMTS B1 (``single_input_converge.ipynb``): NGD paths of the prompt $p$ on one input, converging to the
max-margin direction of the globally optimal token or of a locally optimal one depending on the init.

Instance :func:`attnlab.theory.tf_svm.examples.mmts_single_input` (2-D keys a = (-0.1, 1), b = (1, 0), c = (0, 0); scores
1, 0.9, $\gamma_c$). For each $\gamma_c$ in ``gamma_c_values`` and each init $p_0 = (0, y)$, $y \in$ ``init_y``,
NGD $p \leftarrow p - \eta \nabla\mathcal{L}/\|\nabla\mathcal{L}\|$ (logistic loss) is logged every ``log_every``
steps. $p^{mm}_a$ and $p^{mm}_b$ (:func:`attnlab.theory.tf_svm.attention_svm.solve_prompt_svm`) are solved once per case and
$b$ is classified by :func:`attnlab.theory.tf_svm.attention_svm.locally_optimal_prompt` (spec 3.14: locally optimal iff
$\gamma_c < 0.9$). Rows: ``kind`` = ``path`` (iterate, norm, cosines with $p^{mm}_a$ / $p^{mm}_b$, softmax of
a, b, c), ``svm`` (the solution, $\tfrac12\|p\|^2$, local-optimality flag) and ``token`` (keys and scores).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from attnlab.experiments.config import ExperimentConfig, check_log_every
from attnlab.experiments.figures import Figure
from attnlab.experiments.tf_svm._mmts import cosine, make_row, p_path, path_probs
from attnlab.theory.errors import ConfigError
from attnlab.theory.tf_svm.attention_svm import locally_optimal_prompt, solve_prompt_svm
from attnlab.theory.tf_svm.examples import mmts_single_input

__all__ = ["Config", "run", "summarize", "FIGURE"]

TOKENS = ("a", "b", "c")
COLUMNS = {"kind": "", "gamma_c": float("nan"), "init_y": float("nan"), "step": -1, "label": "",
           "x": float("nan"), "y": float("nan"), "norm": float("nan"), "corr_a": float("nan"),
           "corr_b": float("nan"), "prob_a": float("nan"), "prob_b": float("nan"), "prob_c": float("nan"),
           "value": float("nan")}


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """Notebook settings: six inits (0, y), NGD eta = 0.1, 1000 iterations (single_input_converge.ipynb, src)."""

    gamma_c_values: tuple[float, ...] = (0.9, 0.0)
    init_y: tuple[float, ...] = (1.0, 0.5, 0.0, -0.5, -1.0, -1.5)
    steps: int = 1000
    eta: float = 0.1
    log_every: int = 1

    def validate(self):
        if not self.gamma_c_values or any(not -10 < g < 1 for g in self.gamma_c_values):
            raise ConfigError(f"gamma_c_values must be non-empty, each in (-10, 1) so that a stays optimal; "
                              f"got {self.gamma_c_values}")
        if not self.init_y:
            raise ConfigError("init_y must list at least one initial p_y")
        if self.steps < 1 or self.eta <= 0:
            raise ConfigError(f"need steps >= 1 and eta > 0; got steps={self.steps}, eta={self.eta}")
        check_log_every(self.steps, self.log_every)

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), init_y=(1.0, -1.5), steps=30, log_every=10)

    @classmethod
    def smoke(cls):
        return cls(log_every=2)

    @classmethod
    def paper(cls):
        return cls()


def run(cfg: Config, seed: int) -> list[dict]:
    """Deterministic instance and inits: ``seed`` only labels the cell."""
    rows = []
    for gc in cfg.gamma_c_values:
        inst = mmts_single_input(gc)
        keys = inst.keys
        sol = {"a": solve_prompt_svm(keys, (0,)), "b": solve_prompt_svm(keys, (1,))}
        b_local = locally_optimal_prompt(keys, inst.X, inst.v, inst.Y, (1,)).is_locally_optimal
        for lab, s in sol.items():
            p = s.p if s.optimal else np.full(2, np.nan)
            rows.append(make_row(COLUMNS, kind="svm", gamma_c=gc, label=lab, x=p[0], y=p[1],
                                 value=0.5 * float(p @ p),
                                 prob_b=float(b_local) if lab == "b" else np.nan))
        for t, lab in enumerate(TOKENS):
            rows.append(make_row(COLUMNS, kind="token", gamma_c=gc, label=lab, x=keys[0, t, 0], y=keys[0, t, 1],
                                 value=inst.X[0, t, 2]))
        pa = sol["a"].p if sol["a"].optimal else None
        pb = sol["b"].p if sol["b"].optimal else None
        for y0 in cfg.init_y:
            steps, P = p_path(keys, inst.X, inst.v, inst.Y, (0.0, y0), cfg.steps, cfg.eta, cfg.log_every)
            S = path_probs(keys, P)[:, 0, :]
            ca, cb, nrm = cosine(P, pa), cosine(P, pb), np.linalg.norm(P, axis=-1)
            for k, step in enumerate(steps):
                rows.append(make_row(COLUMNS, kind="path", gamma_c=gc, init_y=y0, step=step, x=P[k, 0], y=P[k, 1],
                                     norm=nrm[k], corr_a=ca[k], corr_b=cb[k], prob_a=S[k, 0], prob_b=S[k, 1],
                                     prob_c=S[k, 2]))
    return rows


def _tag(gc: float) -> str:
    return f"gc{gc:g}"


def summarize(rows: list[dict]) -> dict[str, float]:
    r"""Per case ``gc<gamma_c>``: which token each run selects at the end (argmax softmax), the fraction selecting
    the global token a, the minimum over inits of the final cosine with $p^{mm}$ of the selected token, the
    final mean $\|p\|$, $\tfrac12\|p^{mm}\|^2$ for a and b and whether b is locally optimal."""
    out: dict[str, float] = {}
    for gc in sorted({r["gamma_c"] for r in rows}):
        tag = _tag(gc)
        path = [r for r in rows if r["kind"] == "path" and r["gamma_c"] == gc]
        last = max(r["step"] for r in path)
        final = [r for r in path if r["step"] == last]
        sel_a = [r["prob_a"] >= max(r["prob_b"], r["prob_c"]) for r in final]
        corr_sel = [r["corr_a"] if a else r["corr_b"] for r, a in zip(final, sel_a, strict=True)]
        out[f"frac_select_a_{tag}"] = float(np.mean(sel_a))
        out[f"frac_select_other_{tag}"] = 1.0 - float(np.mean(sel_a))
        out[f"min_corr_selected_final_{tag}"] = float(np.min(corr_sel))
        out[f"mean_norm_final_{tag}"] = float(np.mean([r["norm"] for r in final]))
        for r in rows:
            if r["kind"] == "svm" and r["gamma_c"] == gc:
                out[f"pmm_{r['label']}_half_sq_norm_{tag}"] = r["value"]
                if r["label"] == "b":
                    out[f"b_locally_optimal_{tag}"] = r["prob_b"]
    return out


FIGURE = Figure(
    id="tf_svm/mmts-single-input",
    paper="tf_svm",
    title="MMTS single input: NGD paths of p go to p^mm of the global token a or of the locally optimal token b",
    locator="MMTS (arXiv 2306.13596) single-input convergence figure, reproduced from ucr-optml/max_margin_attention "
    "MaxMarginTokenSelection/single_input_converge.ipynb; figure number unverified (full text not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.tf_svm.mmts_single_input:plot",
    choices="float64 with the stable gradient of attnlab.theory.tf_svm.attention_loss and no eps in the NGD denominator (the notebook "
    "runs float32 with eps 1e-9); p is 2-D (the notebook's third coordinate is killed by W_k = W_q = diag(1,1,0) "
    "and never moves); both gamma_c cases are run (the saved notebook output is the gamma_c = 0.9 case only); the "
    "token a run 'selects' is argmax softmax at the final iterate; SVMs by Clarabel (attnlab.theory.tf_svm._margin_qp), not cvxopt",
)
