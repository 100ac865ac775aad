"""Sign-in and sign-out: passwords checked with throttling and without telling which
emails exist; every page but the landing pages and webhooks needs a session."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import routes  # noqa: E402,F401
