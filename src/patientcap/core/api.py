"""Background jobs in API v1: `GET /api/v1/jobs/{id}` answers a job's status, progress and
result, for the client that started it (or may read it: `core/scopes.py`); another's is a 404.
Endpoints that start long work answer 202 with the job's id and this URL to poll."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.core.models import Job

router = Router(tags=["jobs"])


class JobStartedOut(Schema):
    job_id: int
    url: str


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str  # queued, running, succeeded (done) or failed (refused or crashed)
    done: int
    total: int | None
    message: str
    result: dict[str, Any]  # the kind's own figures, e.g. an import's counts or its errors
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def api_url(job: Job) -> str:
    return reverse("api-1:job", kwargs={"pk": job.pk})


def started(job: Job) -> Status:
    """The 202 answer of an endpoint that started `job`."""
    return Status(202, {"job_id": job.pk, "url": api_url(job)})


@router.get("/{int:pk}", response=JobOut, url_name="job", summary="A background job")
def get_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(scoping.readable(api_user(request), Job).defer("input"), pk=pk)
