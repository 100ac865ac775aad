"""The provider registry: a stable key -> its PartnerEvent plugin class.

Only this module knows which providers exist. Adding one is a new folder under
``providers/`` and one line below.
"""
from __future__ import annotations

from typing import Mapping

from providers.base import PartnerEvent

_REGISTRY: dict[str, type[PartnerEvent]] = {}


def register(cls: type[PartnerEvent]) -> type[PartnerEvent]:
    if not cls.key:
        raise ValueError(f"{cls.__name__} has no key")
    if cls.key in _REGISTRY:
        raise ValueError(f"provider key {cls.key!r} registered twice")
    _REGISTRY[cls.key] = cls
    return cls


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
    from providers.zoom import ZoomEvent
    register(ZoomEvent)


_register_builtin()
