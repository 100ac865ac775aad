"""The People page and its CSV export."""
import csv
import io
import re

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Program
from portal.models.programs import VIA_WALK_IN
from portal.people import bp
from portal.people.queries import export_query, memberships, people_page, program_choices, source_of
from portal.programs.export import came_in_by, csv_cell

HEADINGS = [_l("Email"), _l("First name"), _l("Last name"), _l("Company"), _l("Phone"), _l("Source"),
            _l("Source program"), _l("Came in by"), _l("Programs and statuses"), _l("First seen (UTC)"),
            _l("Unsubscribed")]
BATCH = 500


def _filters():
    program_id = request.args.get("program", type=int)
    program = db.session.get(Program, program_id) if program_id else None
    return request.args.get("q", ""), program


@bp.route("/")
def index():
    q, program = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    people, programs_of, total, pages = people_page(q, program.id if program else None, page,
                                                    current_app.config["MEMBERS_PER_PAGE"])
    return render_template("people/index.html", people=people, programs_of=programs_of, total=total,
                           pages=pages, page=page, q=q, program=program, choices=program_choices(),
                           walk_in=VIA_WALK_IN)


@bp.route("/people.csv")
def export():
    q, program = _filters()
    query = export_query(q, program.id if program else None)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(heading) for heading in HEADINGS])
        # worded once per export: a program's people share a handful of sources
        words, walked_in, yes = {}, " " + _("(walked in)"), _("yes")
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for partition in result.partitions():
            batch = [(row, source_of(row, *row[-4:])) for row in partition]
            programs_of = memberships([person.id for person, _ in batch])
            for person, source in batch:
                if source not in words:
                    words[source] = (source.words, came_in_by(source.walked_in) if source.program_id else "")
                source_words, came_in = words[source]
                statuses = "; ".join(f"{name}: {status}" + (walked_in if via == VIA_WALK_IN else "")
                                     for _id, name, status, via in programs_of[person.id])
                writer.writerow([csv_cell(v) for v in (
                    person.email, person.first_name, person.last_name, person.company, person.phone,
                    source_words, source.program_name, came_in, statuses, person.created_at,
                    yes if person.unsubscribed else "")])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    name = "people" + (("-" + re.sub(r"[^A-Za-z0-9._-]+", "-", program.name).strip("-")) if program else "")
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
