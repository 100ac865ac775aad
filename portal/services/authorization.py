"""The OAuth authorization-code round trip of a connection [S10]: a state bound to the
admin's session on the way out, checked on the way back."""
from __future__ import annotations

import secrets
from typing import MutableMapping

from flask_babel import gettext as _

from portal.models import Service
from portal.services.gateway import Gateway

SESSION_KEY = "oauth"


class StateMismatch(Exception):
    """The answer does not belong to a sign-in started from this session."""


def begin(session: MutableMapping, service: Service, purpose: str, redirect_uri: str) -> str:
    """Remember what this sign-in is for; the provider's consent page address."""
    state = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {"state": state, "provider": service.provider, "purpose": purpose,
                            "service_id": service.id, "name": service.name}
    return Gateway(service).authorize_url(redirect_uri, state)


def finish(session: MutableMapping, answer: MutableMapping) -> dict:
    """The pending sign-in the provider's answer belongs to (used once)."""
    pending = session.pop(SESSION_KEY, None)
    if not pending or not secrets.compare_digest(pending["state"], answer.get("state", "")):
        raise StateMismatch(_("The sign-in answer did not match a sign-in started here. Start again."))
    return pending
