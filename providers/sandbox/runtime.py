"""The sandbox's per-app objects (state, webhook sender, credentials)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request

from providers.sandbox.delivery import WebhookSender


@dataclass
class Sandbox:
    state: Any
    sender: WebhookSender
    credentials: dict

    def emit(self, bodies: list[dict]) -> None:
        """Queue webhooks of the current request; ``flush`` sends them once the view
        has returned and released the state lock (a portal receiving them may call
        the sandbox back)."""
        g.setdefault("sandbox_webhooks", []).extend(bodies)

    def flush(self) -> None:
        """Send this request's webhooks; ``?sync=1`` delivers them before answering."""
        bodies = g.pop("sandbox_webhooks", [])
        if bodies:
            sync = request.args.get("sync", "").lower() in ("1", "true", "yes")
            self.sender.emit(bodies, sync=sync)


def current() -> Sandbox:
    return current_app.extensions["sandbox"]
