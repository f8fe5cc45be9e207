"""What admins see of the job queue (/admin/jobs): counts per state and the jobs in each."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Job, JobState

SHOWN = 50


@dataclass
class Board:
    counts: dict[JobState, int]
    jobs: dict[JobState, list[Job]]


def job_board(limit: int = SHOWN) -> Board:
    """Waiting jobs soonest first, running ones oldest first, failed and done ones newest first."""
    counts = {state: 0 for state in JobState}
    counts.update(dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all()))
    order = {JobState.waiting: (Job.run_after, Job.id), JobState.running: (Job.started_at, Job.id),
             JobState.failed: (Job.finished_at.desc(), Job.id.desc()), JobState.done: (Job.finished_at.desc(),
                                                                                       Job.id.desc())}
    jobs = {state: list(db.session.execute(select(Job).where(Job.state == state).order_by(*order[state])
                                           .limit(limit)).scalars()) for state in JobState}
    return Board(counts, jobs)
