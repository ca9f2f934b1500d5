"""Running long work (imports, batch scoring, simulations) as background jobs people can follow.

A use case that would take longer than a request calls `start()`: it records a `Job` row and,
once the caller's transaction commits, enqueues a django-tasks task with the job's id only
(never the data: the task reads the committed row). The task calls `run(job_id, work)`, which
marks the job running, gives `work` a `Progress` to report through, and records how it ended.
Pages poll the row (`core/job_views.py`), API clients read it (`core/api.py`), and
`patientcap db_worker` (django-tasks-db) runs the tasks.

Only the request that starts a job and the job itself commit: `work` writes its changes in its
own transactions, exactly as the same use case would at the command line.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks.base import Task

from patientcap.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# Progress is written at most this many times over a job (every ~2 % of the total).
PROGRESS_WRITES = 50


@dataclass(frozen=True)
class Outcome:
    """How `work` ended: `ok` False means refused as a whole (bad input), not crashed."""

    ok: bool
    message: str
    result: dict[str, Any] = field(default_factory=dict)
    count: int | None = None  # the final done/total figure, when the work counts items


def start(
    *,
    owner: Any,
    kind: str,
    title: str,
    task: Task,
    input: bytes | None = None,
    input_name: str = "",
) -> Job:
    """Record a job for `owner` and enqueue `task(job_id)` after the transaction commits."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            owner=owner,
            organisation_id=owner.organisation_id,
            language=translation.get_language() or "",
            input=input,
            input_name=input_name[:255],
        )
        # Enqueued after commit: a worker must never pick up a job whose row (or whose input)
        # it cannot see yet, nor one that a rolled-back request never made.
        transaction.on_commit(partial(_enqueue, task, job.pk))
    return job


def _enqueue(task: Task, job_id: int) -> None:
    result = task.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


Work = Callable[[Job, "Progress"], Outcome]


def run(job_id: int, work: Work) -> None:
    """Run `work` for a waiting job and record its outcome. Called by the job's task."""
    # Claiming the row makes a job run once, even if its task were delivered twice.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.warning("job %s is not waiting to run; left as it is", job_id)
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.language or None):
        try:
            outcome = work(job, Progress(job_id))
        except BaseException:
            # Also on a worker stopped mid-job: the job must not look as if it still ran.
            _finish(
                job_id,
                JobStatus.FAILED,
                gettext(
                    "The job stopped on an unexpected error. Try again; if it happens again, "
                    "tell the administrator job number %(job)d."
                )
                % {"job": job_id},
            )
            raise
    status = JobStatus.SUCCEEDED if outcome.ok else JobStatus.FAILED
    _finish(job_id, status, outcome.message, outcome.result, outcome.count)


def _finish(
    job_id: int,
    status: str,
    message: str,
    result: dict[str, Any] | None = None,
    count: int | None = None,
) -> None:
    figures = {"done": count, "total": count} if count is not None else {}
    Job.objects.filter(pk=job_id).update(
        status=status,
        message=message[:500],
        result=result or {},
        input=None,  # the file was the job's input only; the audit trail keeps its digest
        finished_at=timezone.now(),
        **figures,
    )


def record_progress(job_id: int, done: int, total: int | None) -> None:
    """Write a running job's figures (an unknown or too small total is stored as unknown)."""
    known = total if total and total >= done else None
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(done=done, total=known)


class Progress:
    """`progress(done, total)`, as long work calls it: writes the job's figures at most every
    ~2 % of the total (the caller decides how often it calls, e.g. every 500 rows).

    Each write is a single UPDATE in autocommit on the worker's connection, so it is committed
    at once and a page polling the job sees it: on PostgreSQL at once, on SQLite too (WAL lets
    readers read while the worker writes). Calls made inside the work's own transaction are
    skipped: there the write would be invisible to every other connection until the commit
    (and undone by a rollback), and a write from a second connection would wait for the very
    lock the work holds (SQLite has one writer: it would stall until the busy timeout). So a
    job reports the steps it takes before its write transaction (an import: reading and
    checking every row, most of its time), and its final figures when it finishes.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if transaction.get_connection().in_atomic_block:
            return
        step = max((total or 0) // PROGRESS_WRITES, 1)
        if self.last is not None and done - self.last < step and done < (total or 0):
            return
        record_progress(self.job_id, done, total)
        self.last = done
