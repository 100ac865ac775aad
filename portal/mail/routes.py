"""The outbox pages: every email the portal sent or kept, for marketers to read."""
from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import func

from portal.extensions import db
from portal.models import OutboxMessage

bp = Blueprint("outbox", __name__)


@bp.route("/")
def index():
    page = max(1, request.args.get("page", 1, type=int))
    per_page = current_app.config["MEMBERS_PER_PAGE"]
    query = db.select(OutboxMessage)
    program_id = request.args.get("program", type=int)
    if program_id:
        query = query.where(OutboxMessage.program_id == program_id)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(query.order_by(OutboxMessage.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("outbox/index.html", messages=messages, page=page,
                           pages=max(1, -(-total // per_page)), total=total)


@bp.route("/<int:message_id>")
def show(message_id):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("outbox/show.html", message=message)
