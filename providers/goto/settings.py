"""The GoTo plugin's settings: the config keys it declares (with their development
defaults, the GoTo sandbox's demo app in providers/goto/sandbox/seed.py) and their
typed values, read once from the app config mapping."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from providers.base import Setting

SETTINGS: tuple[Setting, ...] = (
    Setting("GOTO_OAUTH_BASE_URL", "https://authentication.logmeininc.com",
            help="GoTo's sign-in site (OAuth)"),
    Setting("GOTO_API_BASE_URL", "https://api.getgo.com",
            help="GoTo's API host (GoTo Webinar under /G2W/rest/v2, the Admin API under /admin/rest/v1)"),
    Setting("GOTO_CLIENT_ID", "sbx-goto-client-id", help="the GoTo OAuth client's ID"),
    Setting("GOTO_CLIENT_SECRET", "sbx-goto-client-secret", secret=True,
            help="the GoTo OAuth client's secret"),
    Setting("GOTO_WEBHOOK_SECRET_KEY", "sbx-goto-webhook-secret-key", secret=True,
            help="the webhook secret key (signs every GoTo webhook)"),
    Setting("GOTO_HTTP_TIMEOUT", "10", help="seconds, on every HTTP call to GoTo"),
    Setting("GOTO_MAX_RETRIES", "4", help="retries of 5xx answers, connection errors and 429 waits"),
    Setting("GOTO_BACKOFF_BASE", "0.5", help="seconds; the n-th retry waits about base * 2**(n-1)"),
    Setting("GOTO_MAX_WAIT", "30", help="longest Retry-After, in seconds, slept inline"),
)
DEFAULTS = {s.key: s.default for s in SETTINGS}


@dataclass(frozen=True)
class GoToSettings:
    oauth_base_url: str = DEFAULTS["GOTO_OAUTH_BASE_URL"]
    api_base_url: str = DEFAULTS["GOTO_API_BASE_URL"]
    webhook_secret_key: str = ""
    timeout: float = float(DEFAULTS["GOTO_HTTP_TIMEOUT"])
    max_retries: int = int(DEFAULTS["GOTO_MAX_RETRIES"])
    backoff_base: float = float(DEFAULTS["GOTO_BACKOFF_BASE"])
    max_wait: float = float(DEFAULTS["GOTO_MAX_WAIT"])

    @classmethod
    def from_config(cls, config: Mapping) -> "GoToSettings":
        """Missing keys take their declared default; a key set empty stays empty for
        text (an empty webhook secret key refuses every webhook) and takes the default
        for numbers. Client credentials are read by the OAuth2 base."""
        def text(key):
            value = config.get(key)
            return DEFAULTS[key] if value is None else str(value)

        def number(key, kind=float):
            value = config.get(key)
            return kind(DEFAULTS[key] if value in (None, "") else value)

        return cls(
            oauth_base_url=text("GOTO_OAUTH_BASE_URL").rstrip("/"),
            api_base_url=text("GOTO_API_BASE_URL").rstrip("/"),
            webhook_secret_key=text("GOTO_WEBHOOK_SECRET_KEY"),
            timeout=number("GOTO_HTTP_TIMEOUT"),
            max_retries=number("GOTO_MAX_RETRIES", int),
            backoff_base=number("GOTO_BACKOFF_BASE"),
            max_wait=number("GOTO_MAX_WAIT"),
        )
