r"""Experiment configs: frozen dataclasses with ``smoke`` and ``paper`` presets and parsed overrides.

A config class subclasses :class:`ExperimentConfig`, declares typed fields with defaults, validates in
``validate()`` (raise :class:`~attnlab.theory.errors.ConfigError` with what is valid), and defines the
classmethods ``smoke()`` and ``paper()``, and where useful ``medium()`` (longer than smoke, short of the
paper; a config without its own ``medium()`` uses its smoke preset). Every config carries ``seeds``: one cell per seed. Overrides
``key=value`` must name an existing field and parse to its type; nothing is ever ``exec``-ed.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, fields, replace

from attnlab.theory.errors import ConfigError

__all__ = ["ExperimentConfig", "parse_overrides", "canonical_json", "check_log_every", "check_seeds", "MAX_SEED",
           "SCALES"]

SCALES = ("smoke", "medium", "paper")
MAX_SEED = 2**32 - 1  # the range every seeded generator we use accepts


@dataclass(frozen=True)
class ExperimentConfig:
    """Base class. ``seeds`` lists the repetitions; ``choices`` documents where we chose for the paper."""

    seeds: tuple[int, ...] = (0,)

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):  # lists from JSON/overrides become tuples: hashable, frozen
                object.__setattr__(self, f.name, tuple(value))
        check_seeds(self.seeds)
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ConfigError` for out-of-range values. Override in subclasses."""

    @classmethod
    def tiny(cls):
        """Seconds on one core: the size at which the generic figure test runs every figure."""
        raise NotImplementedError(f"{cls.__module__}.{cls.__qualname__} must define tiny()")

    @classmethod
    def smoke(cls):
        """Minutes on a 2-core CPU."""
        return cls()

    @classmethod
    def medium(cls):
        """Longer than smoke, short of the paper (tens of minutes on a CPU); defaults to ``smoke()``."""
        return cls.smoke()

    @classmethod
    def paper(cls):
        """The paper's settings (GPU or cluster)."""
        return cls()

    @classmethod
    def preset(cls, scale: str):
        if scale not in SCALES:
            raise ConfigError(f"unknown scale {scale!r}; valid scales: {', '.join(SCALES)}")
        return getattr(cls, scale)()

    def to_dict(self) -> dict:
        """Canonical plain-data form (tuples as lists), the input of every cache key."""
        return json.loads(canonical_json(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, data: dict):
        return cls(**{k: v for k, v in data.items()})

    def with_overrides(self, overrides: dict[str, str]):
        """Return a copy with ``field=value`` strings parsed to the fields' types."""
        return replace(self, **parse_overrides(type(self), overrides))

    def without_seeds(self) -> dict:
        d = self.to_dict()
        d.pop("seeds")
        return d


def check_log_every(steps: int, log_every: int) -> None:
    """Raise :class:`ConfigError` unless ``1 <= log_every <= steps`` (shared by the iterative experiments)."""
    if not 1 <= log_every <= steps:
        raise ConfigError(f"log_every must lie in [1, steps={steps}], got {log_every}")


def check_seeds(seeds) -> None:
    """Raise :class:`ConfigError` unless ``seeds`` lists distinct integers in ``[0, MAX_SEED]`` (one cell each)."""
    if not seeds:
        raise ConfigError("seeds must list at least one seed")
    bad = [s for s in seeds if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= MAX_SEED]
    if bad:
        raise ConfigError(f"seeds must be integers in [0, {MAX_SEED}], got {', '.join(map(str, bad))}")
    repeated = sorted({s for s in seeds if list(seeds).count(s) > 1})
    if repeated:
        raise ConfigError(f"seeds must be distinct (each seed is one cell), got {', '.join(map(str, repeated))} "
                          "more than once")


def canonical_json(obj) -> str:
    """Sorted keys, no whitespace, floats by repr: equal configs give equal strings."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_default)


def _default(o):
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def _parse_scalar(text: str, typ, field_name: str):
    if typ is bool:
        low = text.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ConfigError(f"{field_name} expects a bool (true/false), got {text!r}")
    if typ in (int, float, str):
        try:
            value = typ(text)
        except ValueError:
            raise ConfigError(f"{field_name} expects {typ.__name__}, got {text!r}") from None
        if typ is float and value != value:
            raise ConfigError(f"{field_name} must not be NaN")
        return value
    raise ConfigError(f"{field_name} has type {typ!r}, which overrides cannot set")


def parse_overrides(cls, overrides: dict[str, str]) -> dict:
    """Parse ``{"field": "text"}`` against the dataclass ``cls``'s annotated types.

    Tuples are written comma-separated: ``seeds=0,1,2``.
    """
    hints = typing.get_type_hints(cls)
    valid = [f.name for f in fields(cls)]
    parsed = {}
    for key, text in overrides.items():
        if key not in valid:
            raise ConfigError(f"unknown config field {key!r} for {cls.__name__}; valid fields: {', '.join(valid)}")
        typ = hints[key]
        origin = typing.get_origin(typ)
        if origin is tuple:
            (elem, *_rest) = typing.get_args(typ)
            parts = [p for p in str(text).split(",") if p.strip()]
            parsed[key] = tuple(_parse_scalar(p.strip(), elem, key) for p in parts)
        else:
            parsed[key] = _parse_scalar(str(text), typ, key)
    return parsed
