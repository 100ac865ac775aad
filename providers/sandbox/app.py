"""Settings and app assembly shared by the sandboxes."""
from __future__ import annotations

import os
from typing import Callable, Iterable, Mapping

from flask import Blueprint, Flask, g, jsonify, request

from providers.sandbox.runtime import Sandbox, current


def settings(defaults: Mapping[str, str], config: Mapping | None = None) -> dict:
    """Defaults, overridden by environment variables, overridden by ``config``."""
    merged = {}
    for key, default in defaults.items():
        value = (config or {}).get(key)
        if value in (None, ""):
            value = os.environ.get(key) or default
        merged[key] = str(value)
    return merged


def create_app(import_name: str, settings: Mapping, sandbox: Sandbox, blueprints: Iterable[Blueprint],
               *, index: dict, before: Callable, after: Callable, errors: Mapping,
               merge_slashes: bool = True) -> Flask:
    """A sandbox's app: ``runtime.current()`` is ``sandbox``; ``/`` answers ``index``."""
    app = Flask(import_name)
    app.url_map.merge_slashes = merge_slashes     # before any rule: rules copy it
    app.config.update(settings)
    app.extensions["sandbox"] = sandbox
    for bp in blueprints:
        app.register_blueprint(bp)
    app.before_request(_enter)
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(_leave)
    for error, handler in errors.items():
        app.register_error_handler(error, handler)
    app.add_url_rule("/", "index", lambda: jsonify(index))
    return app


def _enter():
    """Count the API requests being answered at once: tests prove a client works in
    parallel by the most the sandbox saw together, not by timing it."""
    if request.path.startswith("/_sandbox") or request.path == "/":
        return
    state = current().state
    with state.lock:
        state.in_flight += 1
        state.most_in_flight = max(state.most_in_flight, state.in_flight)
    g.sandbox_counted = True


def _leave(_error=None):
    if g.pop("sandbox_counted", False):
        state = current().state
        with state.lock:
            state.in_flight -= 1
