"""One device policy: explicit > ATTNLAB_DEVICE > cuda > cpu; no CUDA probing at import."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from attnlab.gpu.device import ENV_VAR, get_device
from attnlab.theory.errors import ConfigError


def test_explicit_argument_beats_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cuda")
    assert get_device("cpu") == torch.device("cpu")


def test_environment_beats_auto(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert get_device() == torch.device("cpu")


def test_auto_picks_cuda_only_when_available(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("bad", ["tpu", "gpu0", "cuda-1"])
def test_unknown_device_is_a_config_error(bad):
    with pytest.raises(ConfigError, match="valid: auto, cpu, cuda"):
        get_device(bad)


def test_importing_the_packages_neither_imports_torch_nor_probes_cuda():
    code = ("import sys, theory, attnlab.gpu.device, attnlab.experiments.cli, attnlab.experiments.runner, attnlab.experiments.figures; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_device_name_answers_cpu_without_importing_torch():
    code = ("import sys; from attnlab.gpu.device import device_name; "
            "print(device_name('cpu'), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["cpu", "False"]


def test_device_name_follows_the_policy(monkeypatch):
    from attnlab.gpu.device import device_name

    monkeypatch.setenv(ENV_VAR, "cpu")
    assert device_name() == "cpu" and device_name("cpu") == "cpu"
    with pytest.raises(ConfigError, match="valid: auto, cpu, cuda"):
        device_name("tpu")


def test_the_reproduce_command_passes_the_device_in_the_cells_not_the_environment(monkeypatch, tmp_path):
    import os

    from attnlab.experiments import cli, reproduce

    seen = {}

    def fake(fid, scale, overrides, store, executor, out, device=None):
        seen[fid] = device
        return reproduce.Reproduction(fid, tmp_path, 0, 0, [])

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(reproduce, "reproduce_figure", fake)
    code = cli.main(["reproduce", "tf_svm/local-convergence", "--device", "cpu", "--out", str(tmp_path),
                     "--store", str(tmp_path / "s.sqlite")])
    assert code == 0 and seen == {"tf_svm/local-convergence": "cpu"} and ENV_VAR not in os.environ
