"""The Zoom plugin's settings, read once from the app config mapping."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class ZoomSettings:
    oauth_base_url: str = "https://zoom.us"
    api_base_url: str = "https://api.zoom.us/v2"
    client_id: str = ""
    client_secret: str = ""
    webhook_secret: str = ""
    s2s_client_id: str = ""
    s2s_client_secret: str = ""
    s2s_account_id: str = ""
    timeout: float = 10.0          # seconds, on every HTTP call
    max_retries: int = 4           # 5xx and connection errors, and 429 waits
    backoff_base: float = 0.5      # seconds; the n-th retry waits about base * 2**(n-1)
    max_wait: float = 30.0         # longest Retry-After slept inline

    @classmethod
    def from_config(cls, config: Mapping) -> "ZoomSettings":
        def text(key, default=""):
            value = config.get(key)
            return default if value in (None, "") else str(value)

        def number(key, default, kind=float):
            value = config.get(key)
            return default if value in (None, "") else kind(value)

        return cls(
            oauth_base_url=text("ZOOM_OAUTH_BASE_URL", cls.oauth_base_url).rstrip("/"),
            api_base_url=text("ZOOM_API_BASE_URL", cls.api_base_url).rstrip("/"),
            client_id=text("ZOOM_CLIENT_ID"),
            client_secret=text("ZOOM_CLIENT_SECRET"),
            webhook_secret=text("ZOOM_WEBHOOK_SECRET_TOKEN"),
            s2s_client_id=text("ZOOM_S2S_CLIENT_ID"),
            s2s_client_secret=text("ZOOM_S2S_CLIENT_SECRET"),
            s2s_account_id=text("ZOOM_S2S_ACCOUNT_ID"),
            timeout=number("ZOOM_HTTP_TIMEOUT", cls.timeout),
            max_retries=number("ZOOM_MAX_RETRIES", cls.max_retries, int),
            backoff_base=number("ZOOM_BACKOFF_BASE", cls.backoff_base),
            max_wait=number("ZOOM_MAX_WAIT", cls.max_wait),
        )
