"""The provider registry: a stable key -> its PartnerEvent plugin class.

Only this module knows which providers exist. Adding one is a new folder under
``providers/`` and one line below.
"""
from __future__ import annotations

from typing import Mapping

from providers.base import PartnerEvent, Setting

_REGISTRY: dict[str, type[PartnerEvent]] = {}


def register(cls: type[PartnerEvent]) -> type[PartnerEvent]:
    if not cls.key:
        raise ValueError(f"{cls.__name__} has no key")
    if cls.key in _REGISTRY:
        raise ValueError(f"provider key {cls.key!r} registered twice")
    declared = {s.key for other in _REGISTRY.values() for s in other.settings}
    mine = [s.key for s in cls.settings]
    clash = sorted(declared.intersection(mine)) or sorted({k for k in mine if mine.count(k) > 1})
    if clash:
        raise ValueError(f"{cls.__name__} declares settings already declared: {', '.join(clash)}")
    _REGISTRY[cls.key] = cls
    return cls


def classes() -> list[type[PartnerEvent]]:
    return [_REGISTRY[key] for key in keys()]


def load_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """Every declared setting of every plugin: its value in ``environ``, else its default."""
    return {s.key: environ.get(s.key, s.default) for cls in classes() for s in cls.settings}


def secret_settings() -> list[Setting]:
    """Every declared secret setting, for the production check."""
    return [s for cls in classes() for s in cls.settings if s.secret]


def keys() -> list[str]:
    return sorted(_REGISTRY)


def choices() -> list[tuple[str, str]]:
    return [(key, _REGISTRY[key].label) for key in keys()]


def plugin(key: str, config: Mapping) -> PartnerEvent:
    try:
        cls = _REGISTRY[key]
    except KeyError:
        raise LookupError(f"unknown provider {key!r}") from None
    return cls(config)


def _register_builtin():
    from providers.goto import GoToEvent
    from providers.zoom import ZoomEvent
    register(ZoomEvent)
    register(GoToEvent)


_register_builtin()
