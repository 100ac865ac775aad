"""CSV export of a program's members, streamed row by row so 10,000+ members
never sit in memory. Only membership fields and the person fields [S20] allows."""
import csv
import io
import re
from datetime import datetime

from flask import Response, request, stream_with_context
from sqlalchemy import case

from portal.extensions import db
from portal.models import Member, Person
from portal.models.programs import VIA_WALK_IN
from portal.programs import bp
from portal.programs.lookups import get_program_or_404
from portal.programs.members import members_query

# (heading, column): plain columns, not ORM objects, keep 10,000 rows quick.
COLUMNS = [
    ("Email", Person.email), ("First name", Person.first_name), ("Last name", Person.last_name),
    ("Company", Person.company), ("Phone", Person.phone), ("Status", Member.status),
    ("Came in by", case((Member.joined_via == VIA_WALK_IN, "walked into the webinar"),
                        else_="registered on the portal")),
    ("Webinar URL", Member.webinar_url), ("Registrant id", Member.registrant_id),
    ("Sync", case((Member.sync_state == "none", ""), else_=Member.sync_state)), ("Sync error", Member.sync_error),
    ("Attended minutes", Member.attended_minutes), ("First join (UTC)", Member.first_join),
    ("Last leave (UTC)", Member.last_leave), ("Sessions", Member.sessions),
    ("Member since (UTC)", Member.created_at),
]
BATCH = 1000
FORMULA = re.compile(r"[=+\-@\t\r]")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    # Text a spreadsheet would run as a formula gets a leading quote.
    return "'" + text if FORMULA.match(text) else text


@bp.route("/<int:program_id>/members.csv")
def export_members(program_id):
    program = get_program_or_404(program_id)
    args = request.args
    query = members_query(program.id, status=args.get("status", ""), q=args.get("q", ""),
                          sort=args.get("sort", "email"), desc=args.get("desc") == "1")
    query = query.with_only_columns(*[column for _, column in COLUMNS])

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([name for name, _ in COLUMNS])
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for partition in result.partitions():
            for row in partition:
                writer.writerow([csv_cell(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", program.name).strip("-") or "program"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}-members.csv"'})
