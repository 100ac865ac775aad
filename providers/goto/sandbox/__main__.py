"""``python -m providers.goto.sandbox --port 5056 [--host 127.0.0.1] [--portal-webhook-url URL]``"""
from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from providers.goto.sandbox import create_sandbox_app, sandbox_settings, seed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the GoTo Webinar sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5056)
    parser.add_argument("--portal-webhook-url", default="",
                        help="where signed webhooks go (the portal's GoTo webhook endpoint)")
    args = parser.parse_args(argv)
    overrides = {"GOTO_SANDBOX_WEBHOOK_URL": args.portal_webhook_url} if args.portal_webhook_url else {}
    settings = sandbox_settings(overrides)
    app = create_sandbox_app(settings)
    server = make_server(args.host, args.port, app, threaded=True)   # --port 0: any free port
    base = f"http://{args.host}:{server.server_port}"
    print(f"""GoTo sandbox on {base}
  portal config:
    GOTO_OAUTH_BASE_URL={base}
    GOTO_API_BASE_URL={base}
    GOTO_CLIENT_ID={settings['GOTO_CLIENT_ID']}
    GOTO_CLIENT_SECRET={settings['GOTO_CLIENT_SECRET']}
    GOTO_WEBHOOK_SECRET_KEY={settings['GOTO_WEBHOOK_SECRET_KEY']}
  webhooks to: {settings['GOTO_SANDBOX_WEBHOOK_URL'] or '(none yet: POST /_sandbox/webhook-url)'}
  rate limit: {settings['GOTO_SANDBOX_RATE_LIMIT']} requests/second per token (0: off)
  admin organizer: {seed.ADMIN_EMAIL}   state: {base}/_sandbox/state""", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
