"""The app's provider plugins: one instance per provider key and app, built from the
app's config (plugins keep HTTP sessions worth reusing)."""
from flask import current_app

import providers
from providers.base import PartnerEvent


def plugin(key: str) -> PartnerEvent:
    plugins = current_app.extensions.setdefault("providers", {})
    if key not in plugins:
        plugins[key] = providers.plugin(key, current_app.config)
    return plugins[key]


def consent_origins() -> tuple[str, ...]:
    """Every provider's OAuth consent page origin (forms post there when an admin connects)."""
    return tuple(sorted({o for key in providers.keys() for o in plugin(key).csp_origins()}))
