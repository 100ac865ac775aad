"""Public landing pages: a program's page, its registration form, the thank-you
page, and the unsubscribe link of marketing emails. No sign-in (see security.py)."""
from flask import Blueprint

bp = Blueprint("landing", __name__)

from portal.landing import routes  # noqa: E402,F401
