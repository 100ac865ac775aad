"""Tasks: a background job acting for a user, recorded as a row keyed by its RQ job id,
with progress that pages poll. The job is named by its dotted path, so no module that
starts one imports a job module."""
from __future__ import annotations

import uuid

from portal.extensions import db
from portal.models import Task
from portal.workers import queue


def start_task(name: str, description: str, job: str, *args, program_id=None, user_id=None,
               **kwargs) -> Task:
    """Record a task row, commit it, then enqueue the job (a dotted name) that updates it."""
    task = Task(id=uuid.uuid4().hex, name=name, description=description,
                program_id=program_id, user_id=user_id)
    db.session.add(task)
    db.session.commit()
    queue().enqueue(job, task.id, *args, job_id=task.id, **kwargs)
    return task


def progress(task: Task, done: int, total: int | None = None) -> None:
    task.done = done
    if total is not None:
        task.total = total
    db.session.commit()
