"""Settling a sync's attendees from their stored sessions, set-based (used by ``writer.py``).

Once every join of the report is stored as an attendance session, a few statements give
every member who attended their figures and status, whatever their number: minutes
(overlaps counted once, as ``providers.base.covered_minutes`` counts them, rounded half to
even like Python), first join, last leave, sessions; the rule's verdict; the status moved
forward by the channel's steps (``Channel.moves_forward``) with its history row. Nothing
per member goes through Python. Times are compared in whole microseconds: PostgreSQL's
epoch, SQLite's stored text (``portal/bulk.py`` writes it with six decimals).
"""
from __future__ import annotations

import sqlalchemy as sa

from portal.attendance.rule import Rule
from portal.channels import ATTENDED, NO_SHOW, NOT_IN_PROGRAM, Channel
from portal.models.programs import VIA_WALK_IN
from portal.models.types import UTCDateTime

MINUTE = 60_000_000          # microseconds


def _micros(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"CAST(extract(epoch FROM {column}) * 1000000 AS BIGINT)"
    return f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"


def _figures(dialect: str, skip: bool) -> str:
    """Per member of the program with sessions: n, first_join, last_leave, minutes, and
    ``new`` (the verdict), ``moves`` (1 when the status moves forward to it), ``reason``."""
    a, b = _micros(dialect, "s.join_time"), _micros(dialect, "s.leave_time")
    return f"""
    WITH spans AS (
        SELECT s.member_id, s.join_time, s.leave_time, {a} AS a, {b} AS b
        FROM attendance_sessions s JOIN members m ON m.id = s.member_id
        WHERE m.program_id = :program{" AND m.id NOT IN :skip" if skip else ""}
    ), reach AS (
        SELECT member_id, join_time, leave_time, a, b,
               max(b) OVER (PARTITION BY member_id ORDER BY a, b
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
        FROM spans
    ), covered AS (
        SELECT member_id, count(*) AS n, min(join_time) AS first_join, max(leave_time) AS last_leave,
               CAST(sum(CASE WHEN reach IS NULL OR a >= reach THEN b - a
                             WHEN b > reach THEN b - reach ELSE 0 END) AS BIGINT) AS us
        FROM reach GROUP BY member_id
    ), minutes AS (
        SELECT member_id, n, first_join, last_leave,
               us / {MINUTE} + CASE WHEN 2 * (us % {MINUTE}) > {MINUTE} THEN 1
                                    WHEN 2 * (us % {MINUTE}) = {MINUTE} THEN (us / {MINUTE}) % 2
                                    ELSE 0 END AS minutes
        FROM covered
    ), verdicts AS (
        SELECT f.*, m.status AS current, m.joined_via,
               CASE WHEN f.minutes >= :minimum THEN :attended ELSE :no_show END AS new
        FROM minutes f JOIN members m ON m.id = f.member_id
    )
    SELECT v.*,
           CASE WHEN v.new <> v.current AND {{step_new}} >= {{step_current}} THEN 1 ELSE 0 END AS moves,
           substr('attended ' || v.minutes || ' min in ' || v.n || ' session'
                  || CASE WHEN v.n = 1 THEN '' ELSE 's' END
                  || CASE WHEN v.minutes >= :minimum THEN '; rule: ' ELSE ', below the rule: ' END || :words
                  || CASE WHEN v.current = :not_in_program AND v.joined_via = :walk_in
                          THEN ' (not registered on the portal)' ELSE '' END, 1, 500) AS reason
    FROM verdicts v"""


def _step(channel: Channel, column: str) -> str:
    """The channel's step of a status column (NULL for a status it does not know)."""
    return "CASE " + column + " " + " ".join(
        f"WHEN '{s.name}' THEN {s.step}" for s in channel.statuses) + " END"


def settle(conn, program_id: int, channel: Channel, rule: Rule, now, skip: list[int]) -> dict:
    """Figures and statuses of the program's attendees with sessions, except ``skip``;
    returns the counts: attendees, moved to Attended or No Show, staying Attended. The
    figures are computed once, into a temporary table of this transaction."""
    figures = _figures(conn.dialect.name, bool(skip)).replace(
        "{step_new}", _step(channel, "v.new")).replace("{step_current}", _step(channel, "v.current"))
    params = {"program": program_id, "minimum": rule.minimum, "attended": ATTENDED, "no_show": NO_SHOW,
              "words": rule.english, "not_in_program": NOT_IN_PROGRAM, "walk_in": VIA_WALK_IN}
    stmt = sa.text("CREATE TEMPORARY TABLE settling AS " + figures)
    if skip:
        stmt = stmt.bindparams(sa.bindparam("skip", skip, expanding=True))
    conn.execute(stmt, params)
    counts = conn.execute(sa.text("""
        SELECT count(*), sum(CASE WHEN moves = 1 AND new = :attended THEN 1 ELSE 0 END),
               sum(CASE WHEN moves = 1 AND new = :no_show THEN 1 ELSE 0 END),
               sum(CASE WHEN moves = 0 AND new = :attended AND current = :attended THEN 1 ELSE 0 END)
        FROM settling"""), {"attended": ATTENDED, "no_show": NO_SHOW}).one()
    at = sa.bindparam("now", now, type_=UTCDateTime())
    conn.execute(sa.text("""INSERT INTO status_changes (member_id, from_status, to_status, reason, at)
                            SELECT member_id, current, new, reason, :now FROM settling WHERE moves = 1""")
                 .bindparams(at))
    conn.execute(sa.text("""UPDATE members SET attended_minutes = f.minutes, first_join = f.first_join,
                                   last_leave = f.last_leave, sessions = f.n, updated_at = :now,
                                   status = CASE f.moves WHEN 1 THEN f.new ELSE members.status END
                            FROM settling f WHERE members.id = f.member_id""").bindparams(at))
    conn.execute(sa.text("DROP TABLE settling"))
    return {"attendees": counts[0], "attended": (counts[1] or 0) + (counts[3] or 0), "no_shows": counts[2] or 0}
