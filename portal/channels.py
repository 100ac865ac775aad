"""Program channels and their ordered statuses.

A channel fixes which statuses its members move through. ``step`` orders them:
a member moves forward only, except by a manual change (recorded as such).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext


@dataclass(frozen=True)
class Status:
    name: str
    step: int
    success: bool = False


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    statuses: tuple[Status, ...]
    #: whether programs of this channel may be linked to a partner event [S5]
    partner_events: bool = False

    def status(self, name: str) -> Status:
        for status in self.statuses:
            if status.name == name:
                return status
        raise KeyError(f"{name!r} is not a status of the {self.label} channel")

    def moves_forward(self, from_status: str, to_status: str) -> bool:
        """Whether an automatic change may move a member from one status to the other
        (the rule ``programs.lifecycle.change_status`` applies one member at a time)."""
        return from_status != to_status and self.status(to_status).step >= self.status(from_status).step

    @property
    def status_names(self) -> list[str]:
        return [s.name for s in self.statuses]


NOT_IN_PROGRAM = "Not in Program"
INVITED = "Invited"
REGISTERED = "Registered"
REGISTRATION_ERROR = "Registration Error"
ATTENDED = "Attended"
ATTENDED_ON_DEMAND = "Attended On-demand"
NO_SHOW = "No Show"

WEBINAR = Channel("webinar", lazy_gettext("Webinar"), (
    Status(NOT_IN_PROGRAM, 0),
    Status(INVITED, 10),
    # Same step as Registered: a later successful retry moves the member back.
    Status(REGISTERED, 20),
    Status(REGISTRATION_ERROR, 20),
    Status(NO_SHOW, 30),
    Status(ATTENDED, 40, success=True),
    Status(ATTENDED_ON_DEMAND, 40, success=True),
), partner_events=True)

IN_PERSON = Channel("in_person", lazy_gettext("In person event"), (
    Status(NOT_IN_PROGRAM, 0),
    Status(INVITED, 10),
    Status(REGISTERED, 20),
    Status(NO_SHOW, 30),
    Status(ATTENDED, 40, success=True),
))

CHANNELS = {c.key: c for c in (WEBINAR, IN_PERSON)}


def get_channel(key: str) -> Channel:
    return CHANNELS[key]


def channel_choices():
    return [(c.key, c.label) for c in CHANNELS.values()]
