"""The package version; part of every cache key, so a release invalidates stored results."""

__version__ = "0.1.0"
