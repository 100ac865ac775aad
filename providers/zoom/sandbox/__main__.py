"""``python -m providers.zoom.sandbox --port 5055 [--host 127.0.0.1] [--portal-webhook-url URL]``"""
from __future__ import annotations

from providers.sandbox import cli
from providers.zoom.sandbox import create_sandbox_app, sandbox_settings, seed


def banner(base: str, settings: dict) -> str:
    return f"""Zoom sandbox on {base}
  portal config:
    ZOOM_OAUTH_BASE_URL={base}
    ZOOM_API_BASE_URL={base}/v2
    ZOOM_CLIENT_ID={settings['ZOOM_CLIENT_ID']}
    ZOOM_CLIENT_SECRET={settings['ZOOM_CLIENT_SECRET']}
    ZOOM_WEBHOOK_SECRET_TOKEN={settings['ZOOM_WEBHOOK_SECRET_TOKEN']}
    ZOOM_S2S_CLIENT_ID={settings['ZOOM_S2S_CLIENT_ID']}
    ZOOM_S2S_CLIENT_SECRET={settings['ZOOM_S2S_CLIENT_SECRET']}
    ZOOM_S2S_ACCOUNT_ID={settings['ZOOM_S2S_ACCOUNT_ID']}
  webhooks to: {settings['ZOOM_SANDBOX_WEBHOOK_URL'] or '(none yet: POST /_sandbox/webhook-url)'}
  admin host: {seed.OWNER_EMAIL}   state: {base}/_sandbox/state
  rate limits: {settings['ZOOM_SANDBOX_RATE_LIMITS']} (per second; {base}/_sandbox/rate-limits)"""


def main(argv=None) -> None:
    cli.serve(argv, title="Zoom", provider="Zoom", port=5055,
              webhook_setting="ZOOM_SANDBOX_WEBHOOK_URL", sandbox_settings=sandbox_settings,
              create_app=create_sandbox_app, banner=banner)


if __name__ == "__main__":
    main()
