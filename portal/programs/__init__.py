from flask import Blueprint

bp = Blueprint("programs", __name__)

from portal.programs import attendance_views, routes  # noqa: E402,F401
