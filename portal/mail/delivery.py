"""Delivery: an outbox message goes out by SMTP when a mail server is configured, and
is only kept in the outbox otherwise (the embedded default). A failure is either
permanent (the message cannot be built, the server refuses the address or the message
for good: retrying changes nothing) or transient (connection, timeout, 4xx)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from portal.mail.outbox import NOT_BUILT, REFUSED_ADDRESS, SERVER_ANSWERED, SMTP_FAILED
from portal.models import OutboxMessage
from portal.models.activity import KEPT, SENT
from portal.models.types import utcnow

# 5xx replies that are about our own set-up (authentication), which an operator fixes:
# retried like an outage.
_SETUP_CODES = {530, 534, 535, 538}


class DeliveryFailed(Exception):
    def __init__(self, reason: str, permanent: bool):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def _message(message: OutboxMessage, unsubscribe: str, calendar: bytes = b"") -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    try:
        msg["From"] = config["MAIL_DEFAULT_SENDER"]
        msg["To"] = message.to_address
        msg["Subject"] = message.subject
        msg["Message-ID"] = make_msgid(domain="lectern.local")
        if unsubscribe:
            msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        msg.set_content(message.body)
        if calendar:
            msg.add_attachment(calendar, maintype="text", subtype="calendar", filename="invite.ics",
                               params={"method": "PUBLISH"})
    except (ValueError, TypeError) as exc:
        # e.g. a line break in a name that went into the subject: no retry can fix it.
        raise DeliveryFailed(NOT_BUILT(error=exc), permanent=True) from None
    return msg


def deliver(message: OutboxMessage, unsubscribe: str = "", calendar: bytes = b"") -> None:
    """Send an outbox message by SMTP when a mail server is configured; raise
    DeliveryFailed, saying whether a retry could help."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        message.state = KEPT
        message.sent_at = utcnow()
        return
    msg = _message(message, unsubscribe, calendar)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reply = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
        raise DeliveryFailed(REFUSED_ADDRESS(reply=reply),
                             permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        permanent = exc.smtp_code >= 500 and exc.smtp_code not in _SETUP_CODES
        raise DeliveryFailed(SERVER_ANSWERED(code=exc.smtp_code, text=text), permanent=permanent) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(SMTP_FAILED(error=exc), permanent=False) from None
    message.state = SENT
    message.error = ""
    message.sent_at = utcnow()
