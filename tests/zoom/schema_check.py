"""Checks the sandbox's answers against Zoom's published schemas (copied, trimmed, into
``tests/zoom/schemas``). ``AnswerRecorder`` wraps the sandbox app to keep every answer it
serves; tests/zoom/conftest.py checks them after each test of this folder."""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

SCHEMAS = Path(__file__).with_name("schemas")

#: (method, path pattern, schema of a 2xx answer); errors use error.json / oauth_error.json
ROUTES = [
    ("GET", r"/v2/users", "users_list"),
    ("GET", r"/v2/users/[^/]+", "user"),
    ("GET", r"/v2/users/[^/]+/settings", "user_settings"),
    ("GET", r"/v2/users/[^/]+/permissions", "user_permissions"),
    ("GET", r"/v2/users/[^/]+/webinars", "webinars_list"),
    ("GET", r"/v2/webinars/[^/]+", "webinar"),
    ("GET", r"/v2/webinars/[^/]+/registrants", "registrants_list"),
    ("POST", r"/v2/webinars/[^/]+/registrants", "registrant_created"),
    ("GET", r"/v2/webinars/[^/]+/registrants/questions", "registrant_questions"),
    ("GET", r"/v2/past_webinars/[^/]+/instances", "past_instances"),
    ("GET", r"/v2/report/webinars/.+/participants", "report_participants"),
    ("GET", r"/v2/past_webinars/.+/participants", "past_participants"),
    ("GET", r"/v2/past_webinars/.+/absentees", "absentees"),
    ("POST", r"/oauth/token", "token"),
]


def _closed(schema):
    """Zoom's schemas leave objects open; the sandbox is held to the fields Zoom
    publishes, so a field it invents fails the check."""
    if isinstance(schema, list):
        return [_closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (_closed(v) if k != "properties" else {p: _closed(s) for p, s in v.items()})
           for k, v in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


_validators: dict[str, Draft202012Validator] = {}


def validator(name: str) -> Draft202012Validator:
    if name not in _validators:
        schema = _closed(json.loads((SCHEMAS / f"{name}.json").read_text()))
        Draft202012Validator.check_schema(schema)
        _validators[name] = Draft202012Validator(schema, format_checker=FormatChecker())
    return _validators[name]


def schema_for(method: str, path: str, status: int) -> str | None:
    """The schema an answer must match; None for pages that are not Zoom's JSON API."""
    if path.startswith("/oauth/token"):
        return "token" if status == 200 else "oauth_error"
    if not path.startswith("/v2/"):
        return None
    if status >= 400:
        return "error"
    for route_method, pattern, name in ROUTES:
        if route_method == method and re.fullmatch(pattern, path):
            return name
    raise AssertionError(f"no Zoom schema for {method} {path} ({status})")


def problems(method: str, path: str, status: int, body: bytes) -> list[str]:
    name = schema_for(method, path, status)
    if name is None:
        return []
    answer = json.loads(body)
    return [f"{method} {path} ({status}) vs {name}.json at "
            f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in validator(name).iter_errors(answer)]


class AnswerRecorder:
    """WSGI middleware keeping (method, path, status, body) of every answer."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()
        self.answers: list[tuple[str, str, int, bytes]] = []

    def __call__(self, environ, start_response):
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, start)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        with self.lock:
            self.answers.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                 seen["status"], body))
        return [body]

    def take(self) -> list[tuple[str, str, int, bytes]]:
        with self.lock:
            answers, self.answers = self.answers, []
        return answers
