"""The outbox pages: every email the portal sent or kept, for marketers to read."""
from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import func

from portal.extensions import db
from portal.models import OutboxMessage
from portal.validators import int_arg, page_arg

bp = Blueprint("outbox", __name__)


@bp.route("/")
def index():
    page = page_arg()
    per_page = current_app.config["MEMBERS_PER_PAGE"]
    query = db.select(OutboxMessage)
    program_id = int_arg("program")
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
