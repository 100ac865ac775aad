from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# Outbox messages only: delivered by SMTP, kept in the outbox (no mail server), not sent.
SENT, KEPT, SKIPPED = "sent", "kept", "skipped"
# Attendance sync runs only: the report is not ready (or the provider asked to slow
# down) and a retry is scheduled; the webinar never started [S9].
WAITING, NEVER_STARTED = "waiting", "never started"


class Task(db.Model):
    """A background job acting for a user, keyed by the RQ job id; pages poll it."""
    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300), default="")
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    finished_at = mapped_column(UTCDateTime, nullable=True)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class SyncRun(db.Model):
    """One attendance sync of a program, updated page by page while it runs."""
    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(30), default="manual")
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    #: how many times the report was asked for (retries while it is not ready)
    attempts: Mapped[int] = mapped_column(default=0)
    #: the attended rule this run applied, in words
    rule: Mapped[str] = mapped_column(String(120), default="")
    pages_read: Mapped[int] = mapped_column(default=0)
    attendees: Mapped[int] = mapped_column(default=0)
    absentees: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    new_leads: Mapped[int] = mapped_column(default=0)
    no_shows: Mapped[int] = mapped_column(default=0)
    anonymous: Mapped[int] = mapped_column(default=0)
    started_at = mapped_column(UTCDateTime, nullable=True)
    finished_at = mapped_column(UTCDateTime, nullable=True)
    #: when a waiting run tries again
    retry_at = mapped_column(UTCDateTime, nullable=True)
    #: plain words: why it waits, or what it found
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING, WAITING)


class OutboxMessage(db.Model):
    """Every email the portal sends, kept whether or not SMTP is configured."""
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("emails.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    operational: Mapped[bool] = mapped_column(default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    # queued (to send, or retrying) | sent (by SMTP) | kept (no mail server: the outbox is
    # the delivery) | skipped | failed (for good: the error says why; never sent again)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    # One key per intended send, so a rerun of the job never sends the same email twice.
    key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    # Delivery attempts so far; capped (MAIL_MAX_ATTEMPTS), after which the row is failed.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    member = relationship("Member")
