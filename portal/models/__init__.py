"""The data model, in DESIGN.md's domain words."""
from portal.models.activity import OutboxMessage, SyncRun, Task
from portal.models.people import Person, email_key
from portal.models.programs import (
    AttendanceSession,
    Email,
    FlowStep,
    LandingPage,
    Member,
    Program,
    StatusChange,
)
from portal.models.services import AuthorizedHost, Binding, Service, ServiceError
from portal.models.types import utcnow
from portal.models.users import ADMIN, MARKETER, User

__all__ = [
    "ADMIN", "MARKETER", "AttendanceSession", "AuthorizedHost", "Binding", "Email", "FlowStep",
    "LandingPage", "Member", "OutboxMessage", "Person", "Program", "Service", "ServiceError",
    "StatusChange", "SyncRun", "Task", "User", "email_key", "utcnow",
]
