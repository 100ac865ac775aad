"""Request size limits, over real HTTP: a body announced too large is refused with 413
before it is read (the client sends only the headers and waits for the answer)."""
import socket
from urllib.parse import urlsplit

import pytest

from tests.test_landing import published_program


def post_announcing(base: str, path: str, length: int, body: bytes = b"") -> int:
    """POST headers announcing ``length`` bytes, send ``body`` only, return the status."""
    url = urlsplit(base)
    head = (f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=15) as sock:
        sock.sendall(head + body)
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize("length", [400 * 1024 * 1024, 65 * 1024])
def test_webhook_body_over_its_small_limit_is_refused_unread(live_portal, length):
    assert post_announcing(live_portal, "/webhooks/zoom", length) == 413


def test_webhook_body_over_the_limit_is_refused_even_when_sent_whole(live_portal):
    body = b"{" + b" " * (65 * 1024) + b"}"
    assert post_announcing(live_portal, "/webhooks/zoom", len(body), body) == 413


def test_webhook_of_ordinary_size_reaches_the_signature_check(live_portal):
    body = b'{"event": "webinar.updated"}'
    assert post_announcing(live_portal, "/webhooks/zoom", len(body), body) == 401


def test_any_other_post_over_the_app_limit_is_refused_unread(live_portal, app):
    slug = published_program().landing_page.slug
    assert post_announcing(live_portal, f"/lp/{slug}", 50 * 1024 * 1024) == 413
    assert post_announcing(live_portal, "/login", 2 * 1024 * 1024) == 413
