"""Queries behind the People page: a page of people with their source, then the
programs of just those people (a fixed number of statements per page)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Binding, LandingPage, Member, Person, Program
from portal.models.programs import VIA_WALK_IN

SourceProgram = aliased(Program)
SourceMember = aliased(Member)
SourceBinding = aliased(Binding)
SourcePage = aliased(LandingPage)


@dataclass(frozen=True)
class Source:
    """Where a person came from, in words and with the program to link to."""
    program_id: int | None
    program_name: str
    walked_in: bool
    topic: str
    slug: str
    text: str

    @property
    def words(self) -> str:
        if self.program_id is None:
            return self.text or _("unknown")
        if self.walked_in:
            return _("walked into the webinar “%(topic)s”", topic=self.topic or self.program_name)
        if self.slug:
            return _("landing page /lp/%(slug)s", slug=self.slug)
        return self.text or _("registered on the portal")


def people_query(q: str = "", program_id: int | None = None):
    """(Person, Source columns...) rows, searched and filtered, newest first."""
    query = (db.select(Person, SourceProgram.name, SourceMember.joined_via, SourceBinding.topic, SourcePage.slug)
             .outerjoin(SourceProgram, SourceProgram.id == Person.source_program_id)
             .outerjoin(SourceMember, (SourceMember.person_id == Person.id)
                        & (SourceMember.program_id == Person.source_program_id))
             .outerjoin(SourceBinding, SourceBinding.program_id == Person.source_program_id)
             .outerjoin(SourcePage, SourcePage.program_id == Person.source_program_id))
    if program_id:
        query = query.where(Person.source_program_id == program_id)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(Person.email_key.like(like), func.lower(Person.company).like(like),
                                func.lower(Person.first_name + " " + Person.last_name).like(like)))
    return query.order_by(Person.created_at.desc(), Person.id.desc())


#: the person's fields the CSV export writes: plain columns, not ORM objects, keep 10,000 rows quick
EXPORT_COLUMNS = (Person.id, Person.email, Person.first_name, Person.last_name, Person.company, Person.phone,
                  Person.source_program_id, Person.source, Person.created_at, Person.unsubscribed)


def export_query(q: str = "", program_id: int | None = None):
    """people_query's people as rows of EXPORT_COLUMNS, then the source columns."""
    return people_query(q, program_id).with_only_columns(
        *EXPORT_COLUMNS, SourceProgram.name, SourceMember.joined_via, SourceBinding.topic, SourcePage.slug)


def source_of(person, program_name, joined_via, topic, slug) -> Source:
    """``person``: a Person, or a row with its ``source_program_id`` and ``source``."""
    return Source(person.source_program_id, program_name or "", joined_via == VIA_WALK_IN, topic or "",
                  slug or "", person.source)


def memberships(person_ids: list[int]) -> dict[int, list[tuple[int, str, str, str]]]:
    """person id -> [(program id, program name, status, joined via)], in program order."""
    found: dict[int, list] = {pid: [] for pid in person_ids}
    if not person_ids:
        return found
    rows = db.session.execute(db.select(Member.person_id, Program.id, Program.name, Member.status, Member.joined_via)
                              .join(Program, Program.id == Member.program_id)
                              .where(Member.person_id.in_(person_ids)).order_by(Program.id))
    for pid, program_id, name, status, via in rows:
        found[pid].append((program_id, name, status, via))
    return found


def people_page(q: str = "", program_id: int | None = None, page: int = 1, per_page: int = 50):
    query = people_query(q, program_id)
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    people = [(row[0], source_of(*row)) for row in rows]
    return people, memberships([p.id for p, _ in people]), total, max(1, -(-total // per_page))


def program_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in db.session.execute(
        db.select(Program.id, Program.name).order_by(Program.name, Program.id))]
