"""Queries behind the members table: a fixed number of statements whatever the
program's size."""
from sqlalchemy import func, or_

from portal.extensions import db
from portal.models import Member, Person

# Each sort key: its columns, then Member.id so pages never overlap.
SORTS = {
    "email": (Person.email_key,),
    "name": (Person.last_name, Person.first_name),
    "status": (Member.status,),
    "sync": (Member.sync_state,),
    "attendance": (Member.attended_minutes,),
    "updated": (Member.updated_at,),
}


def status_counts(program_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Member.status, func.count()).where(Member.program_id == program_id)
        .group_by(Member.status))
    return dict(rows.all())


def members_query(program_id: int, status: str = "", q: str = "", sort: str = "email", desc: bool = False):
    """(Member, Person) rows of a program, filtered, searched and sorted."""
    query = (db.select(Member, Person).join(Person, Member.person_id == Person.id)
             .where(Member.program_id == program_id))
    if status:
        query = query.where(Member.status == status)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(Person.email_key.like(like),
                                func.lower(Person.first_name + " " + Person.last_name).like(like)))
    order = []
    for column in SORTS.get(sort, SORTS["email"]):
        # Unknown values (no attendance yet) go last either way, on SQLite as on PostgreSQL.
        order.append((column.desc() if desc else column.asc()).nulls_last())
    return query.order_by(*order, Member.id.desc() if desc else Member.id)


def members_page(program_id: int, status: str = "", q: str = "", sort: str = "email",
                 desc: bool = False, page: int = 1, per_page: int = 50):
    query = members_query(program_id, status=status, q=q, sort=sort, desc=desc)
    if q and q.strip():
        total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    else:
        # Without a search the people need not be joined: the (program, status) index answers.
        counted = db.select(func.count()).select_from(Member).where(Member.program_id == program_id)
        total = db.session.scalar(counted.where(Member.status == status) if status else counted)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    pages = max(1, -(-total // per_page))
    return rows, total, pages
