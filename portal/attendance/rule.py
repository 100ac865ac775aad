"""The attended rule: what counts as attended (any attendance, a number of minutes, or a
share of the scheduled duration), in words and as a verdict per attendee."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _

from portal.channels import ATTENDED, NO_SHOW
from portal.extensions import db
from portal.models import Binding, Program
from portal.models.programs import ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT


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

    @cached_property
    def words(self) -> str:
        # In the reader's language; a job (no request) writes the default, English. Asked
        # once per attendee by ``verdict``: translated once.
        if self.kind == ATTENDED_MINUTES:
            return _("at least %(num)d minutes", num=self.threshold)
        if self.kind == ATTENDED_PERCENT:
            if not self.duration:
                return _("at least %(num)d %% of the scheduled duration (unknown: any attendance)",
                         num=self.threshold)
            return _("at least %(num)d %% of the scheduled %(duration)d minutes (%(minimum)d minutes)",
                     num=self.threshold, duration=self.duration, minimum=self.minimum)
        return _("any attendance")

    def verdict(self, minutes: int, sessions: int) -> tuple[str, str]:
        """(status, reason) for one attendee."""
        spent = f"attended {minutes} min in {sessions} session{'' if sessions == 1 else 's'}"
        if minutes >= self.minimum:
            return ATTENDED, f"{spent}; rule: {self.words}"
        return NO_SHOW, f"{spent}, below the rule: {self.words}"


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
