"""The Zoom plugin's settings: the config keys it declares (with their development
defaults, the Zoom sandbox's demo app in providers/zoom/sandbox/seed.py) and their
typed values, read once by ``providers.http.ClientSettings``."""
from __future__ import annotations

from dataclasses import dataclass

from providers.base import Setting
from providers.http import ClientSettings, retry_settings

SETTINGS: tuple[Setting, ...] = (
    Setting("ZOOM_OAUTH_BASE_URL", "https://zoom.us", help="Zoom's sign-in site (OAuth)"),
    Setting("ZOOM_API_BASE_URL", "https://api.zoom.us/v2", help="Zoom's REST API"),
    Setting("ZOOM_CLIENT_ID", "sbx-oauth-client-id", help="the OAuth app's client ID"),
    Setting("ZOOM_CLIENT_SECRET", "sbx-oauth-client-secret", secret=True,
            help="the OAuth app's client secret"),
    Setting("ZOOM_WEBHOOK_SECRET_TOKEN", "sbx-webhook-secret-token", secret=True,
            help="the app's webhook secret token (signs every webhook)"),
    Setting("ZOOM_S2S_CLIENT_ID", "sbx-s2s-client-id",
            help="the Server-to-Server OAuth app's client ID (optional)"),
    # Not marked secret: a Server-to-Server app is optional, and production refuses an
    # empty secret; a demo value left in place is refused by Zoom itself.
    Setting("ZOOM_S2S_CLIENT_SECRET", "sbx-s2s-client-secret",
            help="the Server-to-Server OAuth app's client secret (optional)"),
    Setting("ZOOM_S2S_ACCOUNT_ID", "sbx-account-1",
            help="the Zoom account of the Server-to-Server app (optional)"),
    *retry_settings("ZOOM", "Zoom"),
)


@dataclass(frozen=True)
class ZoomSettings(ClientSettings):
    client_id: str
    webhook_secret: str
    s2s_client_id: str
    s2s_client_secret: str
    s2s_account_id: str
    keys = {**ClientSettings.keys, "webhook_secret": "WEBHOOK_SECRET_TOKEN"}
