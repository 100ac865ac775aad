"""The sandboxes' command line: ``--host``, ``--port`` (0: any free port) and
``--portal-webhook-url``; a banner, then serving until interrupted."""
from __future__ import annotations

import argparse
from typing import Callable

from werkzeug.serving import make_server


def serve(argv, *, title: str, provider: str, port: int, webhook_setting: str,
          sandbox_settings: Callable[[dict], dict], create_app: Callable,
          banner: Callable[[str, dict], str]) -> None:
    """``banner(base URL, settings)``: what the sandbox prints once it listens."""
    parser = argparse.ArgumentParser(description=f"Run the {title} sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--portal-webhook-url", default="",
                        help=f"where signed webhooks go (the portal's {provider} webhook endpoint)")
    args = parser.parse_args(argv)
    settings = sandbox_settings({webhook_setting: args.portal_webhook_url} if args.portal_webhook_url
                                else {})
    server = make_server(args.host, args.port, create_app(settings), threaded=True)
    print(banner(f"http://{args.host}:{server.server_port}", settings), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
