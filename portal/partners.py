"""The app's provider plugins: one instance per provider key and app, built from the
app's config (plugins keep HTTP sessions worth reusing)."""
from flask import current_app
from flask_babel import gettext

import providers
from providers.base import PartnerEvent


def keys() -> list[str]:
    """The providers this portal offers (LECTERN_PROVIDERS, else every registered one)."""
    return current_app.extensions["offered_providers"]


def choices() -> list[tuple[str, str]]:
    return [(key, label) for key, label in providers.choices() if key in keys()]


def plugin(key: str) -> PartnerEvent:
    """The app's plugin for an offered provider; LookupError for any other key."""
    if key not in keys():
        raise LookupError(f"provider {key!r} is not offered here")
    plugins = current_app.extensions.setdefault("providers", {})
    if key not in plugins:
        plugins[key] = providers.plugin(key, current_app.config)
    return plugins[key]


def help_text(partner: PartnerEvent, key: str) -> str:
    """A plugin's help text ``key`` in the reader's language (the catalogue holds every
    text the plugins mark)."""
    return partner.text(key, gettext)


def consent_origins() -> tuple[str, ...]:
    """Every provider's OAuth consent page origin (forms post there when an admin connects)."""
    return tuple(sorted({o for key in keys() for o in plugin(key).csp_origins()}))
