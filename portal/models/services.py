from datetime import timedelta

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

ACTIVE, NEEDS_REAUTH, REPLACED, DISCONNECTED = "active", "needs re-authorization", "replaced", "disconnected"
# Connected at the provider but not saved yet by the admin [S10].
PENDING = "pending"
MAX_AUTHORIZED_HOSTS = 20


class Service(db.Model):
    """One connection of one provider account, created by an admin."""
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(30))
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    connected_user_id: Mapped[str] = mapped_column(String(100), default="")
    connected_email: Mapped[str] = mapped_column(String(254), default="")
    connected_is_admin: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(10), default="oauth")   # oauth | s2s
    state: Mapped[str] = mapped_column(String(30), default=ACTIVE)
    # Encrypted token dict (Fernet); never shown, never logged.
    token_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    token_version: Mapped[int] = mapped_column(default=0)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_success_at = mapped_column(UTCDateTime, nullable=True)
    error_count: Mapped[int] = mapped_column(default=0)
    # [S7] when a token refresh or check found the admin who connected no longer an admin
    admin_lost_at = mapped_column(UTCDateTime, nullable=True)

    created_by = relationship("User")
    hosts = relationship("AuthorizedHost", order_by="AuthorizedHost.id", cascade="all, delete-orphan")

    @property
    def usable(self) -> bool:
        return self.state == ACTIVE


class AuthorizedHost(db.Model):
    """A provider user, besides the connecting one, whose webinars are visible [S12]."""
    __tablename__ = "authorized_hosts"
    __table_args__ = (UniqueConstraint("service_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    host_id: Mapped[str] = mapped_column(String(100))
    added_at = mapped_column(UTCDateTime, default=utcnow)


class ServiceError(db.Model):
    """A failed provider call made for a service, in plain words [S9]."""
    __tablename__ = "service_errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    webinar_id: Mapped[str] = mapped_column(String(100), default="")
    operation: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(50), default="")
    at = mapped_column(UTCDateTime, default=utcnow)


class Binding(db.Model):
    """Program -> (service, external webinar), with a snapshot of the webinar."""
    __tablename__ = "bindings"
    __table_args__ = (UniqueConstraint("provider", "webinar_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    provider: Mapped[str] = mapped_column(String(30))
    webinar_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    start_at = mapped_column(UTCDateTime, nullable=True)
    duration: Mapped[int] = mapped_column(default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    registration_required: Mapped[bool] = mapped_column(default=True)
    refreshed_at = mapped_column(UTCDateTime, default=utcnow)
    deleted_at = mapped_column(UTCDateTime, nullable=True)
    # [S8]: the start time registrants signed up for, kept when it changes
    previous_start_at = mapped_column(UTCDateTime, nullable=True)
    rescheduled_at = mapped_column(UTCDateTime, nullable=True)
    never_started: Mapped[bool] = mapped_column(default=False)
    attendance_pulled_at = mapped_column(UTCDateTime, nullable=True)
    # The link health check's last findings, one plain sentence per line (empty: healthy).
    health_problems: Mapped[str] = mapped_column(Text, default="")
    health_checked_at = mapped_column(UTCDateTime, nullable=True)
    next_pull_at = mapped_column(UTCDateTime, nullable=True)

    program = relationship("Program", back_populates="binding")
    service = relationship("Service")

    @property
    def end_at(self):
        return self.start_at + timedelta(minutes=self.duration or 0) if self.start_at else None
