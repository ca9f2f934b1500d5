"""The page of a background job: its status and a progress bar that htmx refreshes every second
until the job ends, then the job kind's result (`<app>/job_<name>.html`)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patientcap.accounts import scoping
from patientcap.core.models import Job, JobStatus

# A job still waiting after this long suggests that no worker is running.
STALLED_AFTER = dt.timedelta(seconds=30)


@login_required
@require_GET
@never_cache
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    # The uploaded input can be megabytes: a poll every second must not read it.
    job = get_object_or_404(scoping.readable(request.user, Job).defer("input"), pk=pk)
    context = {
        "job": job,
        "stalled": job.status == JobStatus.QUEUED
        and timezone.now() - job.created_at > STALLED_AFTER,
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    return render(request, "core/_job.html" if htmx else "core/job.html", context)
