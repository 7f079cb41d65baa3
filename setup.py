"""Maps the top-level folders to the import root ``attnlab`` (``theory/`` installs as ``attnlab.theory``).

Every sub-package is found by walking the folders, so a new paper's folder needs no edit here.
``attnlab`` itself is a namespace package: it has no folder of its own.
"""

from setuptools import find_packages, setup

LAYERS = ("theory", "proofs_checks", "experiments", "gpu", "paper_figs")

packages: list[str] = []
package_dir: dict[str, str] = {}
for layer in LAYERS:
    package_dir[f"attnlab.{layer}"] = layer
    packages += [f"attnlab.{layer}"] + [f"attnlab.{layer}.{sub}" for sub in find_packages(layer)]

setup(packages=packages, package_dir=package_dir)
