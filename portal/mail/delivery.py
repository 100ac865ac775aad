"""Delivery: an outbox message goes out by SMTP when a mail server is configured, and
is only kept in the outbox otherwise (the embedded default)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.activity import FAILED, KEPT, SENT
from portal.models.types import utcnow


def deliver(message: OutboxMessage, unsubscribe: str = "") -> None:
    """Send an outbox message by SMTP when a mail server is configured; raise on
    SMTP failure (after recording it) so the job is retried."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        message.state = KEPT
        message.sent_at = utcnow()
        return
    msg = EmailMessage()
    msg["From"] = config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.to_address
    msg["Subject"] = message.subject
    msg["Message-ID"] = make_msgid(domain="lectern.local")
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg.set_content(message.body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        message.state = FAILED
        message.error = f"SMTP delivery failed: {exc}"
        db.session.commit()
        raise
    message.state = SENT
    message.error = ""
    message.sent_at = utcnow()
