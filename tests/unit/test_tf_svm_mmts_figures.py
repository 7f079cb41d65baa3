"""MMTS prompt-attention figures (tf_svm/mmts-*) at tiny sizes: tidy deterministic rows, reference names, plots,
config errors, and the joint (v, p) gradient against central differences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from attnlab.experiments.tf_svm import mmts_joint_training as b3
from attnlab.experiments.tf_svm import mmts_loss_dependence as b4
from attnlab.experiments.tf_svm import mmts_multi_input as b2
from attnlab.experiments.tf_svm import mmts_single_input as b1
from attnlab.theory._tolerances import TOL, is_close
from attnlab.theory.tf_svm.attention_gd import grad_vp
from attnlab.theory.tf_svm.examples import mmts_joint

TINY = {
    "b1": (b1, replace(b1.Config.smoke(), init_y=(1.0, -1.5), steps=30, log_every=10)),
    "b2": (b2, replace(b2.Config.smoke(), init_x=(0.0,), steps=30, log_every=10)),
    "b3": (b3, replace(b3.Config.smoke(), steps=30, log_every=10)),
    "b4": (b4, replace(b4.Config.smoke(), C_values=(2.0, 100.0), steps=30, log_every=10)),
}


@pytest.fixture(scope="module")
def tiny_rows():
    return {k: (mod, cfg, mod.run(cfg, 0)) for k, (mod, cfg) in TINY.items()}


@pytest.mark.parametrize("mod,bad", [
    (b1, {"gamma_c_values": (1.0,)}), (b1, {"init_y": ()}), (b1, {"log_every": 0}),
    (b2, {"T": 2}), (b2, {"opt_score": 0.5}), (b2, {"eta_gd": 0.0}),
    (b3, {"cases": ("other",)}), (b3, {"p0": (0.0,)}),
    (b4, {"losses": ("hinge",)}), (b4, {"C_values": (0.0,)}),
])
def test_bad_mmts_config_raises_config_error(mod, bad):
    from attnlab.theory.errors import ConfigError

    with pytest.raises(ConfigError):
        replace(mod.Config.smoke(), **bad)


def test_joint_gradient_matches_central_differences():
    inst = mmts_joint(tight=True)
    rng = np.random.default_rng(3)
    p, v = rng.normal(size=2), rng.normal(size=2)
    _, gp, gv, _ = grad_vp(inst.X, inst.X, inst.Y, p, v)
    h = 1e-6

    def loss(pp, vv):
        return grad_vp(inst.X, inst.X, inst.Y, pp, vv)[0]

    num_p = np.array([(loss(p + h * e, v) - loss(p - h * e, v)) / (2 * h) for e in np.eye(2)])
    num_v = np.array([(loss(p, v + h * e) - loss(p, v - h * e)) / (2 * h) for e in np.eye(2)])
    assert is_close(gp, num_p, TOL.finite_difference)
    assert is_close(gv, num_v, TOL.finite_difference)


def test_loss_dependence_offset_asymptote_is_half_log_c_for_the_correlation_loss():
    assert is_close(np.array(b4.offset_asymptote("correlation", 100.0)), np.array(0.5 * np.log(100.0)),
                    TOL.float64_exact)
