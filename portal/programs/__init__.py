from flask import Blueprint

bp = Blueprint("programs", __name__)

from portal.programs import assets, clone, event_settings, export, routes  # noqa: E402,F401
