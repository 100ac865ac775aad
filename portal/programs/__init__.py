"""Programs: event programs and their channels, members and their statuses, assets
(landing page text, emails) and the Flow editor, cloning [S6], the members list and its
CSV export, and bulk status changes."""
from flask import Blueprint

bp = Blueprint("programs", __name__)
