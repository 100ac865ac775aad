"""Provider webhooks: verified by the provider's plugin, answered at once, the
work handed to a job. Public (no sign-in), no CSRF: the signature is the check."""
import logging

from flask import Blueprint, abort, jsonify, request

from portal.extensions import csrf, limiter
from portal.webhooks.handlers import HANDLERS
from providers.base import BadSignature

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)
limiter.exempt(bp)
log = logging.getLogger(__name__)


@bp.route("/webhooks/<provider_key>", methods=["POST"])
def receive(provider_key):
    from portal.connections import plugin

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
    handler = HANDLERS.get(event.event)
    if handler:
        handler(provider_key, event)
    return jsonify(status="ok")
