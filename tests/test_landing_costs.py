"""What one landing-form submission costs the servers: SQL statements (SQLAlchemy's
event listeners) and Redis round trips (commands or pipelines sent by redis-py),
counted, never timed."""
import pytest
import redis.connection
import requests
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Member, Person, StatusChange
from portal.workers import queue
from providers.zoom.sandbox import seed
from tests.services_helpers import connect_service, linked_program

FORM = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "phone": ""}


@pytest.fixture
def program(admin, sandbox):
    return linked_program(connect_service(admin), "Spring webinar", str(seed.W_SINGLE))


class Costs:
    def __init__(self, engine, monkeypatch):
        self.statements, self.round_trips, self.autocommit = [], 0, []
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        self.engine = engine
        send = redis.connection.AbstractConnection.send_packed_command

        def counted(connection, command, check_health=True):
            self.round_trips += 1
            return send(connection, command, check_health)
        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)

    def _statement(self, conn, cursor, statement, *_):
        self.statements.append(statement.split(None, 1)[0])
        # psycopg's connection says whether it sends BEGIN and COMMIT (sqlite3's has no such flag)
        self.autocommit.append(getattr(cursor.connection, "autocommit", None))

    def stop(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)


def submit(client, program, monkeypatch, **change):
    url = f"/lp/{program.landing_page.slug}"
    costs = Costs(db.engine, monkeypatch)
    answer = client.post(url, data={**FORM, **change})
    costs.stop()
    monkeypatch.undo()
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/thanks"), answer.text
    return costs


def test_a_submission_costs_5_statements_and_2_redis_round_trips_at_most(app, program, monkeypatch):
    client = app.test_client()           # a visitor, signed in to nothing
    client.get(f"/lp/{program.landing_page.slug}")
    # the process's first enqueue asks Redis its version once (RQ); not counted
    submit(client, program, monkeypatch, email="first@example.com")
    first = submit(client, program, monkeypatch)
    assert len(first.statements) <= 5, first.statements
    assert first.round_trips <= 2, first.round_trips
    member = db.session.scalar(sa.select(Member).join(Person).where(Person.email_key == "grace@example.com"))
    assert (member.status, member.sync_state, member.person.company) == ("Registered", "pending", "Navy")
    assert [c.to_status for c in db.session.scalars(sa.select(StatusChange).where(
        StatusChange.member_id == member.id))] == ["Registered"]
    assert queue().count == 2

    # the same person again, with a new company: one person, one member, no second job
    again = submit(client, program, monkeypatch, email="Grace@Example.com", company="Yale")
    assert len(again.statements) <= 5, again.statements
    assert again.round_trips <= 2, again.round_trips
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 2
    assert (member.person.company, member.status) == ("Yale", "Registered")
    assert queue().count == 2


def test_over_http_a_new_person_is_one_write_statement_on_postgresql(app, program, live_portal, monkeypatch):
    """A request of its own, as in production: on PostgreSQL the submission runs in
    autocommit, the page read then person, member and status change in one statement."""
    url = f"{live_portal}/lp/{program.landing_page.slug}"
    costs = Costs(db.engine, monkeypatch)
    answer = requests.post(url, data={**FORM, "email": "ada@example.com"}, allow_redirects=False, timeout=30)
    costs.stop()
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/thanks")
    postgres = db.engine.dialect.name == "postgresql"
    assert costs.statements == (["SELECT", "WITH"] if postgres else ["SELECT", "INSERT", "INSERT", "INSERT"])
    if postgres:
        assert costs.autocommit == [True, True]        # no BEGIN or COMMIT round trip
    member = db.session.scalar(sa.select(Member).join(Person).where(Person.email_key == "ada@example.com"))
    assert (member.status, member.sync_state, member.joined_via) == ("Registered", "pending", "portal")
    assert [(c.from_status, c.to_status, c.reason) for c in member.history] == [
        ("Not in Program", "Registered", "filled out the form")]

    # Again, with a company: the person is completed, the member and its history stay as they were.
    again = requests.post(url, data={**FORM, "email": "ADA@example.com", "company": "Analytical"},
                          allow_redirects=False, timeout=30)
    assert again.status_code == 302
    db.session.expire_all()
    assert (member.person.company, member.status, len(member.history)) == ("Analytical", "Registered", 1)
