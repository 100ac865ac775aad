from flask import Blueprint

bp = Blueprint("programs", __name__)

from portal.programs import (  # noqa: E402,F401
    assets,
    attendance_views,
    clone,
    event_settings,
    export,
    routes,
)
