"""The GoTo plugin's settings, read once from the app config mapping (``GOTO_*``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class GoToSettings:
    oauth_base_url: str = "https://authentication.logmeininc.com"
    #: the API host: GoTo Webinar lives under /G2W/rest/v2, the Admin API under /admin/rest/v1
    api_base_url: str = "https://api.getgo.com"
    client_id: str = ""
    client_secret: str = ""
    webhook_secret_key: str = ""
    timeout: float = 10.0          # seconds, on every HTTP call
    max_retries: int = 4           # 5xx and connection errors, and 429 waits
    backoff_base: float = 0.5      # seconds; the n-th retry waits about base * 2**(n-1)
    max_wait: float = 30.0         # longest Retry-After slept inline

    @classmethod
    def from_config(cls, config: Mapping) -> "GoToSettings":
        def text(key, default=""):
            value = config.get(key)
            return default if value in (None, "") else str(value)

        def number(key, default, kind=float):
            value = config.get(key)
            return default if value in (None, "") else kind(value)

        return cls(
            oauth_base_url=text("GOTO_OAUTH_BASE_URL", cls.oauth_base_url).rstrip("/"),
            api_base_url=text("GOTO_API_BASE_URL", cls.api_base_url).rstrip("/"),
            client_id=text("GOTO_CLIENT_ID"),
            client_secret=text("GOTO_CLIENT_SECRET"),
            webhook_secret_key=text("GOTO_WEBHOOK_SECRET_KEY"),
            timeout=number("GOTO_HTTP_TIMEOUT", cls.timeout),
            max_retries=number("GOTO_MAX_RETRIES", cls.max_retries, int),
            backoff_base=number("GOTO_BACKOFF_BASE", cls.backoff_base),
            max_wait=number("GOTO_MAX_WAIT", cls.max_wait),
        )
