"""The GoTo plugin's settings: the config keys it declares (with their development
defaults, the GoTo sandbox's demo app in providers/goto/sandbox/seed.py) and their
typed values, read once by ``providers.http.ClientSettings`` (client credentials by
the OAuth2 base)."""
from __future__ import annotations

from dataclasses import dataclass

from providers.base import Setting
from providers.http import ClientSettings, retry_settings

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
    *retry_settings("GOTO", "GoTo"),
)


@dataclass(frozen=True)
class GoToSettings(ClientSettings):
    webhook_secret_key: str
