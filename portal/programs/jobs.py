"""Jobs of the programs feature (entry points: enqueued by dotted name, never imported)."""
from __future__ import annotations

from portal.extensions import db
from portal.models import Member, Task, User
from portal.models.activity import DONE, FAILED, RUNNING
from portal.models.types import utcnow
from portal.programs.lifecycle import BULK_CHANGE, MOVED, MOVED_SOME, change_status
from portal.tasks import progress


def bulk_change_status(task_id: str, program_id: int, from_status: str, to_status: str, user_id: int):
    """Move every member of a program with ``from_status`` to ``to_status``."""
    task = db.session.get(Task, task_id)
    task.state = RUNNING
    ids = db.session.scalars(db.select(Member.id).where(
        Member.program_id == program_id, Member.status == from_status).order_by(Member.id)).all()
    progress(task, 0, len(ids))
    user = db.session.get(User, user_id)
    moved = 0
    try:
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            members = db.session.scalars(db.select(Member).where(Member.id.in_(batch))).all()
            for member in members:
                moved += change_status(member, to_status, reason=BULK_CHANGE, by_user=user, manual=True)
            progress(task, start + len(batch))
        task.state = DONE
        # Honest figures: only members whose status really changed count as moved.
        task.message = MOVED_SOME(num=moved, old=from_status, new=to_status, unchanged=len(ids) - moved) \
            if moved < len(ids) else MOVED(num=moved, old=from_status, new=to_status)
    except Exception as exc:
        db.session.rollback()
        task = db.session.get(Task, task_id)
        task.state = FAILED
        task.message = str(exc)
        raise
    finally:
        task.finished_at = utcnow()
        db.session.commit()
