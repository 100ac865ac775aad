from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db, login_manager
from portal.models.types import UTCDateTime, utcnow

ADMIN, MARKETER = "admin", "marketer"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=MARKETER)
    active: Mapped[bool] = mapped_column(default=True)
    # The portal's language for this user; empty until they choose: their browser's then.
    locale: Mapped[str] = mapped_column(String(5), default="", server_default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    #: IANA zone every time is shown in; empty until set (proposed from the browser at first sign-in)
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Part of every session's and remember-me cookie's user id: raising it signs
    # the user out everywhere (logout, password change).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user (commit to apply)."""
        self.session_version = User.session_version + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@login_manager.user_loader
def load_user(user_id: str):
    # "id:version"; a bare id (a cookie from before versions existed) never matches.
    user_pk, _, version = user_id.partition(":")
    if not user_pk.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_pk))
    if user is None or user.session_version != int(version):
        return None
    return user
