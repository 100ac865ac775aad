"""A program's Flow: the ordered steps run when someone fills out its form, their
editor and its warnings [S17] [S19]."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.channels import REGISTERED
from portal.errors import NotAllowed
from portal.extensions import db
from portal.mail.compose import needs_join_link
from portal.models import FlowStep, Program

CHANGE_STATUS, SEND_EMAIL = "change_status", "send_email"
ACTIONS = {CHANGE_STATUS: "Change Program Status", SEND_EMAIL: "Send Email"}


def add_step(program: Program, action: str, status: str = "", email_id: int | None = None) -> FlowStep:
    if action == CHANGE_STATUS:
        program.channel_def.status(status)          # KeyError for a status of another channel
        email_id = None
    elif action == SEND_EMAIL:
        if not any(e.id == email_id for e in program.emails):
            raise NotAllowed(_("Choose one of this program's emails."))
        status = ""
    else:
        raise NotAllowed(_("Unknown step."))
    position = max((s.position for s in program.flow), default=0) + 1
    step = FlowStep(program=program, position=position, action=action, status=status, email_id=email_id)
    db.session.add(step)
    db.session.flush()
    db.session.expire(program, ["flow"])
    return step


def _renumber(steps) -> None:
    for position, step in enumerate(steps, start=1):
        step.position = position


def remove_step(program: Program, step_id: int) -> None:
    steps = list(program.flow)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        raise NotAllowed(_("That step is not in this flow."))
    steps.remove(step)
    db.session.delete(step)
    _renumber(steps)


def move_step(program: Program, step_id: int, offset: int) -> None:
    steps = list(program.flow)
    index = next((i for i, s in enumerate(steps) if s.id == step_id), None)
    if index is None:
        raise NotAllowed(_("That step is not in this flow."))
    target = min(max(index + offset, 0), len(steps) - 1)
    steps.insert(target, steps.pop(index))
    _renumber(steps)


def flow_warnings(program: Program) -> list[str]:
    """What the flow editor warns about [S19] [S17]."""

    steps = list(program.flow)
    warnings = []
    registers = [i for i, s in enumerate(steps) if s.action == CHANGE_STATUS and s.status == REGISTERED]
    sends = [i for i, s in enumerate(steps) if s.action == SEND_EMAIL]
    if not registers:
        warnings.append(_("No step changes the program status to Registered: people who fill out "
                          "the form are not registered for the webinar."))
    elif registers[0] != 0:
        warnings.append(_("Change Program Status to Registered is step %(num)d; it must be "
                          "step 1, so people are registered for the webinar first.", num=registers[0] + 1))
    if not sends:
        warnings.append(_("No step sends an email: registrants do not receive their join link."))
    elif sends[0] != 1:
        warnings.append(_("Send Email is step %(num)d; it must be step 2, right after the "
                          "registration, so the email carries the person's join link.", num=sends[0] + 1))
    for i in sends:
        email = steps[i].email
        if email is None:
            warnings.append(_("Step %(num)d sends an email that was deleted.", num=i + 1))
        elif needs_join_link(email.subject, email.body) and not email.operational:
            warnings.append(_("“%(name)s” carries the join link but is not operational: "
                              "unsubscribed people would not receive it.", name=email.name))
        elif needs_join_link(email.subject, email.body) and not program.channel_def.partner_events:
            warnings.append(_("“%(name)s” uses {{member.webinar url}}, but a %(channel)s program has no "
                              "webinar: it will not be sent.", name=email.name, channel=program.channel_def.label))
    return warnings


def flow_email_ids(program: Program) -> list[int]:
    """The emails a registration sends once the join link is known [S19]."""
    return [s.email_id for s in program.flow if s.action == SEND_EMAIL and s.email_id]
