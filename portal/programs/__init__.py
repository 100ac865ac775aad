from flask import Blueprint

bp = Blueprint("programs", __name__)

from portal.programs import assets, routes  # noqa: E402,F401
