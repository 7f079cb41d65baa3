"""Lists the sub-packages of the top-level folders, which install under ``attnlab`` (pyproject's package-dir).

Every sub-package is found by walking the folders, so a new paper's folder needs no edit here.
``attnlab`` itself is a namespace package: it has no folder of its own.
"""

from setuptools import find_packages, setup

LAYERS = ("theory", "proofs_checks", "experiments", "gpu", "paper_figs")

packages: list[str] = []
for layer in LAYERS:
    packages += [f"attnlab.{layer}"] + [f"attnlab.{layer}.{sub}" for sub in find_packages(layer)]

setup(packages=packages)
