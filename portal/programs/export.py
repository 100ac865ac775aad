"""CSV export of a program's members, streamed row by row so 10,000+ members
never sit in memory. Only membership fields and the person fields [S20] allows, headed
and worded in the reader's language (statuses are the program's own names)."""
import csv
import io
import re
from datetime import datetime

from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.i18n import state_word
from portal.models import Member, Person
from portal.models.programs import VIA_WALK_IN
from portal.programs import bp
from portal.programs.lookups import get_program_or_404
from portal.programs.members import members_query
from portal.sentences import worded

# (heading, column): plain columns, not ORM objects, keep 10,000 rows quick.
COLUMNS = [
    (_l("Email"), Person.email), (_l("First name"), Person.first_name), (_l("Last name"), Person.last_name),
    (_l("Company"), Person.company), (_l("Phone"), Person.phone), (_l("Status"), Member.status),
    (_l("Came in by"), Member.joined_via), (_l("Webinar URL"), Member.webinar_url),
    (_l("Registrant id"), Member.registrant_id), (_l("Sync"), Member.sync_state),
    (_l("Sync error"), Member.sync_error), (_l("Attended minutes"), Member.attended_minutes),
    (_l("First join (UTC)"), Member.first_join), (_l("Last leave (UTC)"), Member.last_leave),
    (_l("Sessions"), Member.sessions), (_l("Member since (UTC)"), Member.created_at),
]
#: the columns whose stored words are given in the reader's language
VIA, SYNC, SYNC_ERROR = (next(i for i, (_name, column) in enumerate(COLUMNS) if column is attribute)
                         for attribute in (Member.joined_via, Member.sync_state, Member.sync_error))
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


def came_in_by(walked_in: bool) -> str:
    return _("walked into the webinar") if walked_in else _("registered on the portal")


def _reader_words():
    """A row's stored words as the reader reads them; each word translated once per export."""
    came = {True: came_in_by(True), False: came_in_by(False)}
    synced = {"none": ""}

    def words(row) -> list:
        row = list(row)
        row[VIA] = came[row[VIA] == VIA_WALK_IN]
        if row[SYNC] not in synced:
            synced[row[SYNC]] = str(state_word(row[SYNC]))
        row[SYNC] = synced[row[SYNC]]
        row[SYNC_ERROR] = worded(row[SYNC_ERROR])
        return row
    return words


@bp.route("/<int:program_id>/members.csv")
def export_members(program_id):
    program = get_program_or_404(program_id)
    args = request.args
    query = members_query(program.id, status=args.get("status", ""), q=args.get("q", ""),
                          sort=args.get("sort", "email"), desc=args.get("desc") == "1")
    query = query.with_only_columns(*[column for _name, column in COLUMNS])

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(name) for name, _column in COLUMNS])
        words = _reader_words()
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for partition in result.partitions():
            for row in partition:
                writer.writerow([csv_cell(value) for value in words(row)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", program.name).strip("-") or "program"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}-members.csv"'})
