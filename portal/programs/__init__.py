from flask import Blueprint

bp = Blueprint("programs", __name__)

from portal.programs import clone, event_settings, export, routes  # noqa: E402,F401
