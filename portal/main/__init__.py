"""The front door: / sends signed-in users to their programs; /health for probes."""
from flask import Blueprint, redirect, url_for

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return redirect(url_for("programs.index"))


@bp.route("/health")
def health():
    return {"status": "ok"}
