"""Cloning a program [S6]: its assets come along, its provider binding never does.

A clone is built field by field from an explicit list, so nothing the source
holds about its webinar, its members, their statuses or history can leak into it,
whatever service or provider the source was bound through.
"""
from __future__ import annotations

from flask_babel import gettext as _

from portal.errors import NotAllowed
from portal.extensions import db
from portal.models import Program, User
from portal.programs.assets import copy_assets
from portal.programs.lifecycle import name_taken

CLONE_SUFFIX = " (copy)"


def clone_program(source_id: int, user: User | None = None) -> Program:
    source = db.session.get(Program, source_id)
    if source is None:
        raise NotAllowed(_("This program does not exist."))
    name = source.name[:200 - len(CLONE_SUFFIX) - 3] + CLONE_SUFFIX
    n = 2
    while name_taken(name):          # names are unique: (copy), (copy 2), (copy 3)...
        name = f"{source.name[:200 - len(CLONE_SUFFIX) - 3]} (copy {n})"
        n += 1
    clone = Program(name=name, channel=source.channel, description=source.description,
                    attended_rule=source.attended_rule, attended_threshold=source.attended_threshold,
                    language=source.language,
                    created_by=user, cloned_from=source)
    db.session.add(clone)
    db.session.flush()
    copy_assets(source, clone)
    db.session.commit()
    return clone
