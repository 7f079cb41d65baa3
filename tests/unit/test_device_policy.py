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
