"""Fetch helpers for views: a program or one of its members, or 404."""
from flask import abort

from portal.extensions import db
from portal.models import Member, Program


def get_program_or_404(program_id: int) -> Program:
    return db.session.get(Program, program_id) or abort(404)


def get_member_or_404(program: Program, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None or member.program_id != program.id:
        abort(404)
    return member
