"""The landing form's submission: the person and the member upserted, the program's flow
run on the member's row, its status changes written, one commit, then the jobs.

It is the portal's busiest write (an announcement brings everyone at once), so it is
Core statements built once. On PostgreSQL a submission runs in autocommit and a new
member is one statement (data-modifying CTEs): no BEGIN or COMMIT round trip, and each
statement is atomic by itself. On SQLite, where a statement is a function call, it is
three statements in one transaction. Upserts settle two people submitting at once
without a retry."""
from __future__ import annotations

import sqlalchemy as sa

from portal.bulk import upsert_statement
from portal.extensions import db
from portal.i18n import N_
from portal.models import Program, email_key
from portal.models.types import utcnow
from portal.registration.state import STANDING, Plan, Standing, dispatch, run_flow

PEOPLE = db.metadata.tables["people"]
MEMBERS = db.metadata.tables["members"]
CHANGES = db.metadata.tables["status_changes"]
NAMES = ("first_name", "last_name", "company", "phone")
#: the member columns a submission does not set, at their defaults
MEMBER_DEFAULTS = {"webinar_url": "", "registrant_id": ""}
MEMBER_COLUMNS = ["program_id", "person_id", "created_at", "updated_at", *MEMBER_DEFAULTS, *STANDING]
REASON = N_("filled out the form")      # stored in English, worded when shown
_STATEMENTS: dict[tuple[str, str], sa.Executable] = {}


def start() -> None:
    """Before the request's first statement: on PostgreSQL, autocommit (see above). A
    session already in a transaction keeps it (a caller's own, as a test's that shares
    its app context with the requests it makes): the same statements, within BEGIN and
    COMMIT."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def submit_registration(program: Program, email: str, first_name: str, last_name: str,
                        company: str = "", phone: str = "", source: str = "", timezone: str = "") -> int:
    """The landing form was filled out (``program``: the ORM's, or the page's plain
    ProgramRow); returns the member's id."""
    now = utcnow()
    conn = db.session.connection()
    fresh = Standing()
    plan, moves = run_flow(program, fresh, now)
    values = {"email": email.strip(), "email_key": email_key(email), "source": source,
              "source_program_id": program.id, "unsubscribed": False, "created_at": now, "updated_at": now,
              "timezone": timezone, "program_id": program.id} | MEMBER_DEFAULTS | vars(fresh) \
        | {k: v.strip() for k, v in zip(NAMES, (first_name, last_name, company, phone), strict=True)}
    if conn.dialect.name == "postgresql":
        row = conn.execute(_statement(conn, "submission"), values | _moves(moves, now)).one()
    else:
        person = conn.execute(_statement(conn, "person"), values).one()
        row = conn.execute(_statement(conn, "member"), values | {"person_id": person.id}).one()
        if row.created_at == now:
            _write_changes(conn, row.id, moves, now)
    if row.created_at != now:
        plan = _again(conn, program, row, now)
    db.session.commit()
    dispatch(row.id, plan)
    return row.id


def _again(conn, program: Program, row, now) -> Plan:
    """Already a member: the flow runs again on what the row holds. Its changes are
    written only if the row still holds what the flow read: of two submissions at the
    same moment, one wins the row (the other's UPDATE waits for its commit, then matches
    nothing) and only it registers and sends the flow's emails."""
    member = Standing(**{name: getattr(row, name) for name in STANDING})
    before = dict(vars(member))
    plan, moves = run_flow(program, member, now)
    changed = {k: v for k, v in vars(member).items() if before[k] != v}
    if not changed:
        return plan
    read = [MEMBERS.c[k].is_(None) if before[k] is None else MEMBERS.c[k] == before[k] for k in changed]
    update = sa.update(MEMBERS).where(MEMBERS.c.id == row.id, *read).values(**changed, updated_at=now)
    if conn.dialect.name == "postgresql":
        # autocommit: the update and the status changes it makes, in one statement
        won = update.returning(MEMBERS.c.id).cte("won")
        won = conn.execute(sa.select(sa.func.count()).select_from(won).add_cte(_changes(won)),
                           _moves(moves, now)).scalar() == 1
    else:
        won = conn.execute(update).rowcount == 1
        if won:
            _write_changes(conn, row.id, moves, now)
    return plan if won else Plan()


def _write_changes(conn, member_id: int, moves: list[tuple[str, str]], now) -> None:
    """SQLite: the status changes, a statement of their own (PostgreSQL's ride with the write)."""
    if moves:
        conn.execute(sa.insert(CHANGES), [
            {"member_id": member_id, "from_status": old, "to_status": new, "reason": REASON, "at": now,
             "by_user_id": None} for old, new in moves])


def _moves(moves: list[tuple[str, str]], now) -> dict:
    return {"froms": [old for old, _new in moves], "tos": [new for _old, new in moves], "at": now}


def _changes(member: sa.CTE, where=None) -> sa.CTE:
    """PostgreSQL: the status changes ``froms`` -> ``tos`` (arrays, in order) of the
    member row ``member`` (a CTE of one row or none), as a CTE."""
    from sqlalchemy.dialects.postgresql import ARRAY, insert

    moves = sa.func.unnest(sa.bindparam("froms", type_=ARRAY(sa.String)),
                           sa.bindparam("tos", type_=ARRAY(sa.String))) \
        .table_valued("from_status", "to_status", with_ordinality="n").render_derived()
    rows = sa.select(member.c.id, moves.c.from_status, moves.c.to_status, sa.literal(REASON),
                     sa.bindparam("at", type_=CHANGES.c.at.type)) \
        .select_from(member.join(moves, sa.true())).order_by(moves.c.n)
    return insert(CHANGES).from_select(["member_id", "from_status", "to_status", "reason", "at"],
                                       rows if where is None else rows.where(where)).cte("changes")


def _person(dialect: str) -> sa.Insert:
    return upsert_statement(
        dialect, PEOPLE, ["email_key"],
        ["email", "email_key", "source", "source_program_id", "unsubscribed", "created_at", "updated_at",
         *NAMES, "timezone"],
        # blank values never overwrite known ones; the first source (and its program) stays
        lambda new: {k: sa.case((new[k] != "", new[k]), else_=PEOPLE.c[k]) for k in (*NAMES, "timezone")}
        | {"updated_at": new.updated_at}, [PEOPLE.c.id])


def _member_returning() -> list:
    return [MEMBERS.c.id, MEMBERS.c.created_at] + [MEMBERS.c[n] for n in STANDING]


def _member(dialect: str) -> sa.Insert:
    return upsert_statement(dialect, MEMBERS, ["program_id", "person_id"], MEMBER_COLUMNS,
                            lambda new: {"updated_at": MEMBERS.c.updated_at}, _member_returning())


def _submission(_dialect: str) -> sa.Select:
    """PostgreSQL: person, member and, when the member is new (its created_at is this
    submission's), its status changes."""
    from sqlalchemy.dialects.postgresql import insert

    person = _person("postgresql").cte("person")
    member = insert(MEMBERS).from_select(MEMBER_COLUMNS, sa.select(
        *[person.c.id if c == "person_id" else sa.bindparam(c, type_=MEMBERS.c[c].type) for c in MEMBER_COLUMNS]),
        include_defaults=False)             # the other columns take the server's defaults
    member = member.on_conflict_do_update(
        index_elements=[MEMBERS.c.program_id, MEMBERS.c.person_id],
        set_={"updated_at": MEMBERS.c.updated_at}).returning(*_member_returning()).cte("member")
    created = member.c.created_at == sa.bindparam("created_at", type_=MEMBERS.c.created_at.type)
    return sa.select(member).add_cte(_changes(member, created))


def _statement(conn, name: str):
    """A statement of the submission, built once per database kind (then only executed)."""
    key = (conn.dialect.name, name)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = {"person": _person, "member": _member, "submission": _submission}[name](conn.dialect.name)
    return _STATEMENTS[key]
