r"""TF-SVM A1 (intro figure; ``visualization.ipynb``, ``visualization2.ipynb``): 2-D NGD paths of $W_k z_i$
against the Att-SVM rays $W^{mm}_\alpha z_i$ (Frobenius) and $W^{mm}_{\star,\alpha} z_i$ (nuclear).

Instances (d = 2, Y = +1, v unit Gaussian, z_i unit Gaussian): ``vis1`` n=2, T=3, seed 1, tokens
$0.3\,\mathcal N(0, I) + (\mp1, 0)$; ``vis2`` n=2, T=5, seed 3, tokens $(-1, 0) + 0.5\,\mathcal N(0, I)$ except the
first token of each input, fixed at $(1, \pm0.5)$. With ``instance_rng="torch"`` the draws replay the notebooks'
``torch.Generator`` streams (float32, then float64), so the instances are the notebooks' own.

Per instance two runs, as in the notebooks: ``W`` from $W_0 = 0$, and ``KQ`` ($W = KQ^\top$, m = d) from
$Q_0 = 0$, $K_0 = 0.1\,\mathcal N(0, I)$, with loss $+\,\lambda(\|K\|_F^2 + \|Q\|_F^2)$, $\lambda$ = float64 eps.
Normalised GD $P \leftarrow P - \eta\, g / (\|g\|_F + \epsilon)$, $\epsilon$ = float64 eps, each factor separately,
logistic loss, $\eta = 0.1$, ``steps`` = 2000. ``random_inits`` adds W-runs from $W_0 \sim$
``init_scale``$\cdot\mathcal N(0, I)$ (not in the notebooks: our choice, to show runs that pick local rays).

SVM rays: every $\alpha \in [T]^n$ whose Frobenius Att-SVM is optimal and locally optimal (spec 2.3; the
global one is $\alpha = \mathrm{opt}$), with its Frobenius and nuclear solutions. A run *picks* the ray of its
target norm (Frobenius for ``W``, nuclear for ``KQ``, as the notebooks pair them) with the largest
correlation $\rho(A, B) = \langle A, B\rangle / (\|A\|_F\|B\|_F)$ at the final iterate.

Rows: ``kind="iterate"`` (one per run and logged step) and ``kind="svm"`` (one per ray, ``step=-1``), each with
the matrix entries ``w00..w11`` and the plotted points ``p{i}x, p{i}y`` $= W z_i$.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, replace

import numpy as np

from attnlab.experiments.config import ExperimentConfig, check_log_every
from attnlab.experiments.figures import Figure
from attnlab.theory.errors import ConfigError
from attnlab.theory.tf_svm.attention_direction import correlation
from attnlab.theory.tf_svm.attention_gd import GdConfig, run_gd_kq, run_gd_w
from attnlab.theory.tf_svm.attention_model import attention_probs
from attnlab.theory.tf_svm.attention_svm import locally_optimal, solve_att_svm
from attnlab.theory.tf_svm.examples import TfSvmInstance, vis1_instance

__all__ = ["Config", "run", "summarize", "FIGURE", "vis_instance", "INSTANCES"]

INSTANCES = ("vis1", "vis2")
_EPS = float(np.finfo(np.float64).eps)  # NGD denominator and (K, Q) lambda of the notebooks (spec 2.5)


@dataclass(frozen=True)
class Config(ExperimentConfig):
    """Notebook settings (src): NGD eta=0.1, 2000 iterations, W0 = 0, Q0 = 0, K0 = 0.1 N(0, I)."""

    instances: tuple[str, ...] = INSTANCES
    steps: int = 2000
    eta: float = 0.1
    log_every: int = 1
    kq_init_scale: float = 0.1
    random_inits: int = 3
    init_scale: float = 3.0
    instance_rng: str = "torch"
    local_rays: bool = True  # solve every alpha in [T]^n (False: only alpha = opt)

    def validate(self):
        bad = [i for i in self.instances if i not in INSTANCES]
        if not self.instances or bad:
            raise ConfigError(f"instances must be a non-empty subset of {INSTANCES}; got {self.instances}")
        if self.steps < 1 or self.eta <= 0 or self.kq_init_scale < 0 or self.init_scale <= 0:
            raise ConfigError(f"need steps >= 1, eta > 0, kq_init_scale >= 0, init_scale > 0; got {self}")
        check_log_every(self.steps, self.log_every)
        if self.random_inits < 0:
            raise ConfigError(f"random_inits must be >= 0, got {self.random_inits}")
        if self.instance_rng not in ("torch", "numpy"):
            raise ConfigError(f"instance_rng must be 'torch' or 'numpy', got {self.instance_rng!r}")

    @classmethod
    def tiny(cls):
        """Seconds: the size the generic figure test runs (tests/unit/test_every_figure.py)."""
        return replace(cls.smoke(), instances=("vis1",), steps=30, log_every=10, random_inits=1, local_rays=False)

    @classmethod
    def smoke(cls):
        return cls(log_every=5)

    @classmethod
    def paper(cls):
        return cls()


def _torch_draws(seed: int, shapes):
    """Sequential ``torch.randn`` draws (float32) from one seeded generator, as float64 arrays."""
    import torch

    g = torch.Generator()
    g.manual_seed(seed)
    return [torch.randn(s, generator=g) for s in shapes]


def vis_instance(name: str, rng: str = "torch") -> TfSvmInstance:
    """The ``vis1`` / ``vis2`` instance (see the module docstring)."""
    n, d = 2, 2
    if name == "vis1" and rng == "numpy":
        return vis1_instance(1)
    T, seed, scale = (3, 1, 0.3) if name == "vis1" else (5, 3, 0.5)
    if rng == "torch":
        v, X, Z = _torch_draws(seed, [(d,), (n, T, d), (n, d)])
        v, Z = v / v.norm(), Z / Z.norm(dim=-1, keepdim=True)
        v, X, Z = (a.double().numpy() for a in (v, X, Z))
    else:
        r = np.random.default_rng(seed)
        v, X, Z = r.normal(size=d), r.normal(size=(n, T, d)), r.normal(size=(n, d))
        v, Z = v / np.linalg.norm(v), Z / np.linalg.norm(Z, axis=-1, keepdims=True)
    X = scale * X
    if name == "vis1":
        X[0] += [-1.0, 0.0]
        X[1] += [1.0, 0.0]
    else:
        X[0, 0], X[1, 0] = [1.0, 0.5], [1.0, -0.5]
        X[:, 1:] += [-1.0, 0.0]
    return TfSvmInstance(X, Z, v, np.ones(n), f"{name}({rng})")


def _ngd(inst, params, kq: bool, cfg: Config):
    """NGD with the notebooks' ``g / (||g|| + eps)`` (and lambda = eps for (K, Q)); returns logged (steps, W)."""
    gd = GdConfig(steps=cfg.steps, eta=cfg.eta, log_every=cfg.log_every, eps=_EPS, kq_reg=_EPS if kq else 0.0)
    args = (inst.X, inst.Z, inst.v, inst.Y)
    res = run_gd_kq(*args, params[0], params[1], gd) if kq else run_gd_w(*args, params[0], gd)
    return res.log_steps, res.log_params


def _row(name, run, kind, norm, alpha, status, step, W, Z, s_unsel):
    r = {"instance": name, "run": run, "kind": kind, "norm": norm, "alpha": alpha, "local_status": status,
         "step": int(step)}
    r |= {f"w{a}{b}": float(W[a, b]) for a in range(2) for b in range(2)}
    for i in range(2):
        p = W @ Z[i]
        r[f"p{i + 1}x"], r[f"p{i + 1}y"] = float(p[0]), float(p[1])
    r["max_unselected_prob"] = float(s_unsel)
    return r


def _svm_rows(name, inst, local_rays: bool = True):
    n, T, _ = inst.X.shape
    opt = tuple(int(a) for a in np.argmax(inst.Y[:, None] * (inst.X @ inst.v), axis=1))
    rows = []
    for alpha in itertools.product(range(T), repeat=n) if local_rays else [opt]:
        with warnings.catch_warnings():  # cvxpy warns on inaccurate solves; the status records it
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            lo = locally_optimal(inst.X, inst.Z, inst.v, inst.Y, np.array(alpha), "fro")
            if not lo.is_locally_optimal:
                continue
            nuc = solve_att_svm(inst.X, inst.Z, np.array(alpha), "nuc")
        tag = "global" if alpha == opt else "local"
        a = ",".join(map(str, alpha))
        rows.append(_row(name, f"svm-fro-{tag}", "svm", "fro", a, lo.status, -1, lo.svm.W, inst.Z, np.nan))
        if nuc.optimal:
            rows.append(_row(name, f"svm-nuc-{tag}", "svm", "nuc", a, nuc.status, -1, nuc.W, inst.Z, np.nan))
    return rows, opt


def run(cfg: Config, seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, 11])
    rows = []
    for name in cfg.instances:
        inst = vis_instance(name, cfg.instance_rng)
        d = inst.X.shape[2]
        svm_rows, _ = _svm_rows(name, inst, cfg.local_rays)
        rows.extend(svm_rows)
        starts = [("W", [np.zeros((d, d))], False),
                  ("KQ", [cfg.kq_init_scale * rng.normal(size=(d, d)), np.zeros((d, d))], True)]
        starts += [(f"W-rand{j}", [cfg.init_scale * rng.normal(size=(d, d))], False) for j in range(cfg.random_inits)]
        for run_name, params, kq in starts:
            steps, Ws = _ngd(inst, params, kq, cfg)
            for k, W in zip(steps, Ws, strict=True):
                s = attention_probs(inst.X, W, inst.Z)
                a_hat = ",".join(str(int(a)) for a in np.argmax(s, axis=1))
                unsel = float(np.sort(s, axis=1)[:, -2].max())
                rows.append(_row(name, run_name, "iterate", "nuc" if kq else "fro", a_hat, "", k, W, inst.Z, unsel))
    return rows


def _W(r) -> np.ndarray:
    return np.array([[r["w00"], r["w01"]], [r["w10"], r["w11"]]])


def _final_runs(rows):
    """{(instance, run): final iterate row}, last seed wins (runs from zero init repeat across seeds)."""
    out = {}
    for r in rows:
        if r["kind"] == "iterate":
            key = (r["instance"], r["run"])
            if key not in out or r["step"] >= out[key]["step"]:
                out[key] = r
    return out


def picked_directions(rows) -> dict[tuple[str, str], dict]:
    """Per run: final correlation with the global ray of its norm and the ray of that norm it is closest to."""
    res = {}
    for (name, run_name), fin in _final_runs(rows).items():
        W = _W(fin)
        rays = [r for r in rows if r["kind"] == "svm" and r["instance"] == name and r["norm"] == fin["norm"]]
        corrs = [(correlation(W, _W(r)), r) for r in rays]
        target = [c for c, r in corrs if r["run"].endswith("global")]
        best_c, best = max(corrs, key=lambda cr: cr[0]) if corrs else (np.nan, None)
        res[(name, run_name)] = {"corr_target": target[0] if target else float("nan"), "picked_corr": best_c,
                                 "picked": best["run"] if best else "", "picked_alpha": best["alpha"] if best else "",
                                 "alpha_hat": fin["alpha"]}
    return res


def _rays_corr(rows, name):
    g = {r["norm"]: _W(r) for r in rows if r["kind"] == "svm" and r["instance"] == name and r["run"].endswith("global")}
    return correlation(g["fro"], g["nuc"]) if len(g) == 2 else float("nan")


def summarize(rows: list[dict]) -> dict[str, float]:
    """Final correlation with the target ray and whether the global ray was picked, per notebook run."""
    picks = picked_directions(rows)
    out = {}
    for name in INSTANCES:
        for run_name in ("W", "KQ"):
            p = picks.get((name, run_name))
            out[f"{name}_{run_name}_corr_target_final"] = p["corr_target"] if p else float("nan")
            out[f"{name}_{run_name}_picked_global"] = (float(p["picked"].endswith("global")) if p and p["picked"]
                                                      else float("nan"))
        out[f"{name}_corr_fro_nuc_global_rays"] = _rays_corr(rows, name)
    out["min_picked_corr_all_runs"] = float(min((p["picked_corr"] for p in picks.values()), default=np.nan))
    return out


FIGURE = Figure(
    id="tf_svm/gd-paths-2d",
    paper="tf_svm",
    title="2-D NGD paths W_k z_i (W and (K,Q)) against the Att-SVM rays W^mm z_i and W^mm_* z_i",
    locator="TF-SVM (arXiv:2308.16898v3): GD-path figure, reproduced from umich-sota/TF-as-SVM visualization.ipynb "
    "and visualization2.ipynb; figure number and section unverified (full text not read)",
    config_cls=Config,
    run=run,
    summarize=summarize,
    plot="attnlab.paper_figs.tf_svm.gd_paths:plot",
    choices="instances replay the notebooks' torch.Generator draws (instance_rng='torch'); K0 = 0.1 N(0, I) from "
    "numpy default_rng([seed, 11]) (the notebook's randn_like is unseeded); 'picked' = the locally optimal "
    "Att-SVM ray of the run's norm (fro for W, nuc for (K,Q)) with the largest final correlation; local rays "
    "are every alpha in [T]^n whose Frobenius Att-SVM is optimal and locally optimal (Clarabel 1e-10, status "
    "checked); random_inits = 3 extra W-runs from 3 N(0, I) (the notebooks have only the zero-init runs); vis2 (K,Q) run computed though the notebook plots "
    "only its W run",
)
