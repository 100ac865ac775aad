"""Landing pages: what a form submission reads of one, and the marketer's intro."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

import markdown
import nh3
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Binding, Program, Service


@lru_cache(maxsize=256)
def intro_html(text: str) -> str:
    """The marketer's Markdown, rendered then sanitized: no script, no handlers. Kept
    per text: every visitor of a page reads the same intro, and Markdown builds its
    whole parser for each call."""
    return nh3.clean(markdown.markdown(text or "", extensions=["sane_lists"]))


# A submission, the portal's busiest request, reads its page as plain rows: loading the
# ORM objects cost more than the query. Every field the flow and the open/closed rules
# read is here; the properties are the models' own.
@dataclass(frozen=True, slots=True)
class ServiceRow:
    state: str
    usable = property(Service.usable.fget)


@dataclass(frozen=True, slots=True)
class BindingRow:
    deleted_at: datetime | None
    start_at: datetime | None
    duration: int
    attendance_pulled_at: datetime | None
    registration_required: bool
    service: ServiceRow | None
    end_at = property(Binding.end_at.fget)


@dataclass(frozen=True, slots=True)
class StepRow:
    action: str
    status: str
    email_id: int | None


@dataclass(frozen=True, slots=True)
class ProgramRow:
    id: int
    channel: str
    language: str
    binding: BindingRow | None
    flow: tuple[StepRow, ...]
    channel_def = property(Program.channel_def.fget)


def published_program(slug: str) -> ProgramRow | None:
    """The program of the published page at ``slug``, with its binding, service and
    flow: one statement."""
    rows = db.session.connection().execute(_program_query(), {"slug": slug}).all()
    if not rows:
        return None
    first = rows[0]
    binding = None
    if first.binding_id is not None:
        binding = BindingRow(first.deleted_at, first.start_at, first.duration, first.attendance_pulled_at,
                             first.registration_required,
                             None if first.service_state is None else ServiceRow(first.service_state))
    return ProgramRow(first.id, first.channel, first.language, binding,
                      tuple(StepRow(r.action, r.status, r.email_id) for r in rows if r.action is not None))


@cache
def _program_query() -> sa.Select:
    pages, programs, bindings, services, steps = (db.metadata.tables[name] for name in (
        "landing_pages", "programs", "bindings", "services", "flow_steps"))
    return sa.select(
        programs.c.id, programs.c.channel, programs.c.language, bindings.c.id.label("binding_id"),
        bindings.c.deleted_at, bindings.c.start_at, bindings.c.duration, bindings.c.attendance_pulled_at,
        bindings.c.registration_required, services.c.state.label("service_state"),
        steps.c.action, steps.c.status, steps.c.email_id,
    ).select_from(
        pages.join(programs, programs.c.id == pages.c.program_id)
        .outerjoin(bindings, bindings.c.program_id == programs.c.id)
        .outerjoin(services, services.c.id == bindings.c.service_id)
        .outerjoin(steps, steps.c.program_id == programs.c.id)
    ).where(pages.c.slug == sa.bindparam("slug"), pages.c.published).order_by(steps.c.position, steps.c.id)
