"""The Zoom plugin's settings: the config keys it declares (with their development
defaults, the Zoom sandbox's demo app in providers/zoom/sandbox/seed.py) and their
typed values, read once from the app config mapping."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from providers.base import Setting

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
    Setting("ZOOM_HTTP_TIMEOUT", "10", help="seconds, on every HTTP call to Zoom"),
    Setting("ZOOM_MAX_RETRIES", "4", help="retries of 5xx answers, connection errors and 429 waits"),
    Setting("ZOOM_BACKOFF_BASE", "0.5", help="seconds; the n-th retry waits about base * 2**(n-1)"),
    Setting("ZOOM_MAX_WAIT", "30", help="longest Retry-After, in seconds, slept inline"),
)
DEFAULTS = {s.key: s.default for s in SETTINGS}


@dataclass(frozen=True)
class ZoomSettings:
    oauth_base_url: str = DEFAULTS["ZOOM_OAUTH_BASE_URL"]
    api_base_url: str = DEFAULTS["ZOOM_API_BASE_URL"]
    client_id: str = ""
    client_secret: str = ""
    webhook_secret: str = ""
    s2s_client_id: str = ""
    s2s_client_secret: str = ""
    s2s_account_id: str = ""
    timeout: float = float(DEFAULTS["ZOOM_HTTP_TIMEOUT"])
    max_retries: int = int(DEFAULTS["ZOOM_MAX_RETRIES"])
    backoff_base: float = float(DEFAULTS["ZOOM_BACKOFF_BASE"])
    max_wait: float = float(DEFAULTS["ZOOM_MAX_WAIT"])

    @classmethod
    def from_config(cls, config: Mapping) -> "ZoomSettings":
        """Missing keys take their declared default; a key set empty stays empty for
        text (an empty webhook secret refuses every webhook) and takes the default for
        numbers."""
        def text(key):
            value = config.get(key)
            return DEFAULTS[key] if value is None else str(value)

        def number(key, kind=float):
            value = config.get(key)
            return kind(DEFAULTS[key] if value in (None, "") else value)

        return cls(
            oauth_base_url=text("ZOOM_OAUTH_BASE_URL").rstrip("/"),
            api_base_url=text("ZOOM_API_BASE_URL").rstrip("/"),
            client_id=text("ZOOM_CLIENT_ID"),
            client_secret=text("ZOOM_CLIENT_SECRET"),
            webhook_secret=text("ZOOM_WEBHOOK_SECRET_TOKEN"),
            s2s_client_id=text("ZOOM_S2S_CLIENT_ID"),
            s2s_client_secret=text("ZOOM_S2S_CLIENT_SECRET"),
            s2s_account_id=text("ZOOM_S2S_ACCOUNT_ID"),
            timeout=number("ZOOM_HTTP_TIMEOUT"),
            max_retries=number("ZOOM_MAX_RETRIES", int),
            backoff_base=number("ZOOM_BACKOFF_BASE"),
            max_wait=number("ZOOM_MAX_WAIT"),
        )
