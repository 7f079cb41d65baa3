"""Shared test setup: Hypothesis profiles, quiet progress bars, seeded generators.

Profiles: ``dev`` (default locally), ``thorough`` (``HYPOTHESIS_PROFILE=thorough``); in CI Hypothesis
loads its own ``ci`` profile by itself (derandomised, no deadline, no example database).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

os.environ.setdefault("ATTNLAB_PROGRESS", "0")

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif not settings.get_current_profile_name() == "ci":
    settings.load_profile("dev")


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, fresh per test."""
    return np.random.default_rng(20231)
