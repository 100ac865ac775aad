from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.channels import NOT_IN_PROGRAM, get_channel
from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

# Provider sync state of a member
SYNC_NONE, SYNC_PENDING, SYNC_SYNCED, SYNC_FAILED = "none", "pending", "synced", "failed"

# How a member came into a program: the portal's landing form, or walking into the webinar
VIA_PORTAL, VIA_WALK_IN = "portal", "walk-in"

# What counts as attended
ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT = "any", "minutes", "percent"


class Program(db.Model):
    """An event program; its channel fixes its statuses."""
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(30), default="webinar")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cloned_from_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    attended_rule: Mapped[str] = mapped_column(String(10), default=ATTENDED_ANY)
    attended_threshold: Mapped[int] = mapped_column(default=0)
    # The language of its landing page, form, thanks page and default emails.
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")

    created_by = relationship("User", foreign_keys=[created_by_id])
    cloned_from = relationship("Program", remote_side=[id], foreign_keys=[cloned_from_id])
    binding = relationship("Binding", back_populates="program", uselist=False)

    @property
    def channel_def(self):
        return get_channel(self.channel)


class Member(db.Model):
    """A person in a program, with the membership fields."""
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id"),
        Index("ix_members_program_status", "program_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(40), default=NOT_IN_PROGRAM)
    joined_via: Mapped[str] = mapped_column(String(10), default=VIA_PORTAL, server_default=VIA_PORTAL)
    webinar_url: Mapped[str] = mapped_column(String(500), default="")
    registrant_id: Mapped[str] = mapped_column(String(100), default="", index=True)
    sync_state: Mapped[str] = mapped_column(String(10), default=SYNC_NONE)
    sync_error: Mapped[str] = mapped_column(Text, default="")
    sync_attempts: Mapped[int] = mapped_column(default=0)
    next_retry_at = mapped_column(UTCDateTime, nullable=True)
    # The RQ job currently in charge of registering this member with the provider:
    # an older (scheduled) attempt that finds another id here stands down.
    sync_job_id: Mapped[str] = mapped_column(String(64), default="")
    # When the current registration attempt began: transient failures retry until 24 hours after it.
    sync_since = mapped_column(UTCDateTime, nullable=True)
    attended_minutes: Mapped[int | None] = mapped_column(nullable=True)
    first_join = mapped_column(UTCDateTime, nullable=True)
    last_leave = mapped_column(UTCDateTime, nullable=True)
    sessions: Mapped[int | None] = mapped_column(nullable=True)
    last_email_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program = relationship("Program")
    person = relationship("Person")
    history = relationship("StatusChange", order_by="StatusChange.id", back_populates="member",
                           cascade="all, delete-orphan", passive_deletes=True)


class StatusChange(db.Model):
    """One step of a member's status history: from, to, when, why."""
    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    at = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(500), default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    member = relationship("Member", back_populates="history")
    by_user = relationship("User")


class AttendanceSession(db.Model):
    """One join..leave of a member, behind their attendance figures."""
    __tablename__ = "attendance_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    join_time = mapped_column(UTCDateTime)
    leave_time = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(default=0)


class LandingPage(db.Model):
    __tablename__ = "landing_pages"
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    published_at = mapped_column(UTCDateTime, nullable=True)

    program = relationship("Program", backref=db.backref("landing_page", uselist=False))


class Email(db.Model):
    """A program's email: subject and body with tokens."""
    __tablename__ = "emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    operational: Mapped[bool] = mapped_column(default=False)

    program = relationship("Program", backref=db.backref("emails", order_by="Email.id"))


class FlowStep(db.Model):
    """One ordered step of a program's registration flow."""
    __tablename__ = "flow_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    action: Mapped[str] = mapped_column(String(20))          # change_status | send_email
    status: Mapped[str] = mapped_column(String(40), default="")
    email_id: Mapped[int | None] = mapped_column(ForeignKey("emails.id", ondelete="SET NULL"))

    program = relationship("Program", backref=db.backref("flow", order_by="FlowStep.position"))
    email = relationship("Email")
