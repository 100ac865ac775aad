"""Programs, people and members: creating a program, finding or creating a person,
and the one way a member's status changes (forward only, unless by hand)."""
from __future__ import annotations

from portal.channels import get_channel
from portal.extensions import db
from portal.i18n import N_
from portal.models import Member, Person, Program, StatusChange, User, email_key
from portal.programs.assets import add_default_assets
from portal.sentences import Nn_, Sentence

# What a status change and a bulk change store in English, worded when shown.
MANUAL_CHANGE = N_("manual change")
BULK_CHANGE = N_("bulk change")
MOVED_BACK = Sentence(N_("%(reason)s (manual move back)"), nested=("reason",))
MOVED = Sentence(*Nn_("%(num)d member moved from %(old)s to %(new)s.",
                      "%(num)d members moved from %(old)s to %(new)s."))
MOVED_SOME = Sentence(*Nn_("%(num)d member moved from %(old)s to %(new)s; %(unchanged)d unchanged.",
                           "%(num)d members moved from %(old)s to %(new)s; %(unchanged)d unchanged."))


def name_taken(name: str) -> bool:
    """Whether another program has this name (compared trimmed, case-insensitively)."""
    return db.session.scalar(db.select(Program.id).where(
        db.func.lower(Program.name) == (name or "").strip().lower()).limit(1)) is not None


def create_program(name: str, channel: str, description: str, user: User | None,
                   language: str = "en") -> Program:
    get_channel(channel)
    program = Program(name=name.strip(), channel=channel, description=description or "",
                      created_by=user, language=language)
    db.session.add(program)
    add_default_assets(program)
    db.session.commit()
    return program


def change_status(member: Member, to_status: str, reason: str = "", by_user: User | None = None,
                  manual: bool = False) -> bool:
    """Move a member to ``to_status`` and record it. Forward only, unless manual
    (a manual move back says so in the history). Returns whether it changed."""
    channel = member.program.channel_def
    target = channel.status(to_status)
    if member.status == to_status:
        return False
    current = channel.status(member.status)
    if target.step < current.step:
        if not manual:
            return False
        reason = MOVED_BACK(reason=reason) if reason else N_("(manual move back)")
    # Added through the session, not member.history.append: appending would load the
    # whole history first, one query per member in a bulk change.
    db.session.add(StatusChange(member=member, from_status=member.status, to_status=to_status,
                                reason=reason, by_user=by_user))
    member.status = to_status
    return True


def find_or_create_person(email: str, **fields) -> tuple[Person, bool]:
    """The person with this email (compared case-insensitively), created if new.
    Blank values never overwrite known ones."""
    key = email_key(email)
    person = db.session.scalar(db.select(Person).where(Person.email_key == key))
    created = person is None
    if created:
        person = Person(email=email.strip(), email_key=key)
        db.session.add(person)
    for name, value in fields.items():
        if value and (created or name not in ("source", "source_program_id")):
            setattr(person, name, value.strip() if isinstance(value, str) else value)
    return person, created
