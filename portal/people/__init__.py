"""People: every lead the portal knows, where each came from (a landing page, or a
webinar they walked into), their programs and statuses, search, the new leads of a
program, and a CSV export."""
from flask import Blueprint

bp = Blueprint("people", __name__)
