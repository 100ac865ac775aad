"""The sandbox's per-app objects (state, webhook sender, credentials)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request

from providers.zoom.sandbox.delivery import WebhookSender
from providers.zoom.sandbox.state import SandboxState


@dataclass
class Sandbox:
    state: SandboxState
    sender: WebhookSender
    credentials: dict

    def emit(self, envelopes: list[dict]) -> None:
        """Queue webhooks of the current request; ``flush`` sends them once the view
        has returned and released the state lock (a portal receiving them may call
        the sandbox back)."""
        g.setdefault("sandbox_webhooks", []).extend(envelopes)

    def flush(self) -> None:
        """Send this request's webhooks; ``?sync=1`` delivers them before answering."""
        envelopes = g.pop("sandbox_webhooks", [])
        if envelopes:
            sync = request.args.get("sync", "").lower() in ("1", "true", "yes")
            self.sender.emit(envelopes, sync=sync)


def current() -> Sandbox:
    return current_app.extensions["zoom_sandbox"]
