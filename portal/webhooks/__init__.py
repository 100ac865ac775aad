"""Provider webhooks: verified by the provider's plugin, answered at once, the
work handed to a job. Public (no sign-in), no CSRF: the signature is the check."""
import hashlib
import logging

from flask import Blueprint, abort, current_app, jsonify, request

from portal.extensions import csrf, limiter
from portal.partners import plugin
from portal.webhooks.handlers import HANDLERS
from portal.workers import redis_conn
from providers.base import BadSignature

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)
limiter.exempt(bp)
log = logging.getLogger(__name__)


@bp.before_request
def small_bodies_only():
    # Werkzeug compares this with Content-Length (or counts a chunked body) before
    # anything is read, and answers 413.
    request.max_content_length = current_app.config["WEBHOOK_MAX_CONTENT_LENGTH"]


def _first_delivery(provider_key: str, delivery_id: str) -> bool:
    """Remember each signed delivery for longer than the signature stays fresh."""
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()
    return bool(redis_conn().set(f"lectern:webhook:{provider_key}:{digest}", 1, nx=True, ex=900))


@bp.route("/webhooks/<provider_key>", methods=["POST"])
def receive(provider_key):
    try:
        provider = plugin(provider_key)
    except LookupError:
        abort(404)
    try:
        event = provider.verify_webhook(request.headers, request.get_data(cache=False))
    except BadSignature as exc:
        log.warning("refused a %s webhook: %s", provider_key, exc.message)
        return jsonify(error="invalid signature"), 401
    if event.reply is not None:
        return jsonify(event.reply)
    if event.delivery_id and not _first_delivery(provider_key, event.delivery_id):
        log.warning("refused a replayed %s webhook (%s)", provider_key, event.event)
        return jsonify(error="replayed delivery"), 409
    handler = HANDLERS.get(event.event)
    if handler:
        handler(provider_key, event)
    return jsonify(status="ok")
