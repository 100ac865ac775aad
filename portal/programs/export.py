"""CSV export of a program's members, streamed row by row so 10,000+ members
never sit in memory. Only membership fields and the person fields [S20] allows."""
import csv
import io
import re

from flask import Response, request, stream_with_context

from portal.programs import bp
from portal.programs.members import members_query
from portal.programs.routes import get_program_or_404

COLUMNS = [
    ("Email", lambda m, p: p.email), ("First name", lambda m, p: p.first_name),
    ("Last name", lambda m, p: p.last_name), ("Company", lambda m, p: p.company),
    ("Phone", lambda m, p: p.phone), ("Status", lambda m, p: m.status),
    ("Webinar URL", lambda m, p: m.webinar_url), ("Registrant id", lambda m, p: m.registrant_id),
    ("Sync", lambda m, p: "" if m.sync_state == "none" else m.sync_state),
    ("Sync error", lambda m, p: m.sync_error),
    ("Attended minutes", lambda m, p: "" if m.attended_minutes is None else m.attended_minutes),
    ("First join (UTC)", lambda m, p: _time(m.first_join)), ("Last leave (UTC)", lambda m, p: _time(m.last_leave)),
    ("Sessions", lambda m, p: "" if m.sessions is None else m.sessions),
    ("Member since (UTC)", lambda m, p: _time(m.created_at)),
]
BATCH = 1000


def _time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _cell(value) -> str:
    """Text a spreadsheet would run as a formula gets a leading quote."""
    text = str(value)
    return "'" + text if re.match(r"[=+\-@\t\r]", text) else text


@bp.route("/<int:program_id>/members.csv")
def export_members(program_id):
    from portal.extensions import db

    program = get_program_or_404(program_id)
    args = request.args
    query = members_query(program.id, status=args.get("status", ""), q=args.get("q", ""),
                          sort=args.get("sort", "email"), desc=args.get("desc") == "1")

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([name for name, _ in COLUMNS])
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for partition in result.partitions():
            for member, person in partition:
                writer.writerow([_cell(get(member, person)) for _, get in COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", program.name).strip("-") or "program"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}-members.csv"'})
