"""``python -m providers.goto.sandbox --port 5056 [--host 127.0.0.1] [--portal-webhook-url URL]``"""
from __future__ import annotations

from providers.goto.sandbox import create_sandbox_app, sandbox_settings, seed
from providers.sandbox import cli


def banner(base: str, settings: dict) -> str:
    return f"""GoTo sandbox on {base}
  portal config:
    GOTO_OAUTH_BASE_URL={base}
    GOTO_API_BASE_URL={base}
    GOTO_CLIENT_ID={settings['GOTO_CLIENT_ID']}
    GOTO_CLIENT_SECRET={settings['GOTO_CLIENT_SECRET']}
    GOTO_WEBHOOK_SECRET_KEY={settings['GOTO_WEBHOOK_SECRET_KEY']}
  webhooks to: {settings['GOTO_SANDBOX_WEBHOOK_URL'] or '(none yet: POST /_sandbox/webhook-url)'}
  rate limit: {settings['GOTO_SANDBOX_RATE_LIMIT']} requests/second per token (0: off)
  admin organizer: {seed.ADMIN_EMAIL}   state: {base}/_sandbox/state"""


def main(argv=None) -> None:
    cli.serve(argv, title="GoTo Webinar", provider="GoTo", port=5056,
              webhook_setting="GOTO_SANDBOX_WEBHOOK_URL", sandbox_settings=sandbox_settings,
              create_app=create_sandbox_app, banner=banner)


if __name__ == "__main__":
    main()
