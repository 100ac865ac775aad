"""The attended rule: what counts as attended (any attendance, a number of minutes, or a
share of the scheduled duration), in words and as a verdict per attendee."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext

from portal.channels import ATTENDED, NO_SHOW
from portal.extensions import db
from portal.i18n import N_
from portal.models import Binding, Program
from portal.models.programs import ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT
from portal.sentences import Nn_, Sentence

# The rule in words, and the reason a sync stores for each attendee's status (also
# written by the bulk writer's SQL: portal/attendance/settle.py), worded when shown.
ANY_ATTENDANCE = N_("any attendance")
AT_LEAST_MINUTES = Sentence(N_("at least %(num)d minutes"))
AT_LEAST_SHARE_UNKNOWN = Sentence(N_("at least %(num)d %% of the scheduled duration (unknown: any attendance)"))
AT_LEAST_SHARE = Sentence(N_("at least %(num)d %% of the scheduled %(duration)d minutes (%(minimum)d minutes)"))
MET_RULE = Sentence(*Nn_("attended %(minutes)d min in %(num)d session; rule: %(rule)s",
                         "attended %(minutes)d min in %(num)d sessions; rule: %(rule)s"), nested=("rule",))
BELOW_RULE = Sentence(*Nn_("attended %(minutes)d min in %(num)d session, below the rule: %(rule)s",
                           "attended %(minutes)d min in %(num)d sessions, below the rule: %(rule)s"),
                      nested=("rule",))
WALKED_IN = Sentence(N_("%(reason)s (not registered on the portal)"), nested=("reason",))
REPORTED_ABSENT = N_("registered, reported absent by the provider")
DID_NOT_ATTEND = N_("registered, did not attend")


@dataclass(frozen=True)
class Rule:
    kind: str
    threshold: int
    duration: int        # the webinar's scheduled minutes

    @classmethod
    def of(cls, program: Program, binding: Binding | None) -> "Rule":
        return cls(program.attended_rule, program.attended_threshold or 0,
                   binding.duration if binding else 0)

    @property
    def minimum(self) -> int:
        """Minutes needed to count as attended (0: any attendance)."""
        if self.kind == ATTENDED_MINUTES:
            return self.threshold
        if self.kind == ATTENDED_PERCENT and self.duration:
            return -(-self.threshold * self.duration // 100)      # rounded up
        return 0

    def _phrase(self) -> tuple[Sentence | None, dict]:
        if self.kind == ATTENDED_MINUTES:
            return AT_LEAST_MINUTES, {"num": self.threshold}
        if self.kind == ATTENDED_PERCENT:
            if not self.duration:
                return AT_LEAST_SHARE_UNKNOWN, {"num": self.threshold}
            return AT_LEAST_SHARE, {"num": self.threshold, "duration": self.duration, "minimum": self.minimum}
        return None, {}

    @property
    def words(self) -> str:
        """The rule in the reader's language."""
        sentence, values = self._phrase()
        return gettext(ANY_ATTENDANCE) if sentence is None else sentence.translated(**values)

    @cached_property
    def english(self) -> str:
        """The rule as stored (in reasons and sync runs); asked once per attendee by
        ``verdict``: put together once."""
        sentence, values = self._phrase()
        return ANY_ATTENDANCE if sentence is None else sentence(**values)

    def verdict(self, minutes: int, sessions: int) -> tuple[str, str]:
        """(status, reason) for one attendee."""
        if minutes >= self.minimum:
            return ATTENDED, MET_RULE(minutes=minutes, num=sessions, rule=self.english)
        return NO_SHOW, BELOW_RULE(minutes=minutes, num=sessions, rule=self.english)


def rule_words(program_id: int) -> str:
    program = db.session.get(Program, program_id)
    return Rule.of(program, program.binding).words


def set_attended_rule(program_id: int, kind: str, threshold: int) -> Program:
    """What counts as attended from the next sync on (statuses never move back)."""
    if kind not in (ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT):
        raise ValueError(f"unknown attended rule {kind!r}")
    program = db.session.get(Program, program_id)
    program.attended_rule = kind
    program.attended_threshold = 0 if kind == ATTENDED_ANY else int(threshold)
    db.session.commit()
    return program
