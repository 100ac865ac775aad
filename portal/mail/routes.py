"""The outbox pages: every email the portal sent or kept, for marketers to read."""
from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import func

from portal.extensions import db
from portal.mail.calendar import member_invitation
from portal.models import Email, OutboxMessage
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
    return render_template("outbox/show.html", message=message, invitation=bool(invitation_of(message)))


def invitation_of(message: OutboxMessage) -> bytes:
    if message.member is None or message.email_id is None:
        return b""
    return member_invitation(message.member, db.session.get(Email, message.email_id))


@bp.route("/<int:message_id>/invite.ics")
def invitation(message_id):
    """The calendar invitation the message carried, as the person received it."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    ics = invitation_of(message) or abort(404)
    return Response(ics, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="invite.ics"'})
