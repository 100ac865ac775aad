"""``python -m providers.zoom.sandbox --port 5055 [--host 127.0.0.1] [--portal-webhook-url URL]``"""
from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from providers.zoom.sandbox import create_sandbox_app, sandbox_settings, seed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the Zoom sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--portal-webhook-url", default="",
                        help="where signed webhooks go (the portal's Zoom webhook endpoint)")
    args = parser.parse_args(argv)
    overrides = {"ZOOM_SANDBOX_WEBHOOK_URL": args.portal_webhook_url} if args.portal_webhook_url else {}
    settings = sandbox_settings(overrides)
    app = create_sandbox_app(settings)
    server = make_server(args.host, args.port, app, threaded=True)   # --port 0: any free port
    base = f"http://{args.host}:{server.server_port}"
    print(f"""Zoom sandbox on {base}
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
  rate limits: {settings['ZOOM_SANDBOX_RATE_LIMITS']} (per second; {base}/_sandbox/rate-limits)""",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
