"""Batch scoring of the registry as a background job.

The batch page and the API call `start_batch`, which records a job and answers at once;
`patientcap db_worker` runs `score_registry_task`, which scores every registered firm exactly
as `services.score_registry` does at the command line (in-process, or on the Dask cluster named
by `PATIENTCAP_DASK_ADDRESS`), and records the batch on the job; its page offers the workbook.
"""

from typing import Any

from django.utils.translation import gettext
from django_tasks import task

from patientcap.core import jobs
from patientcap.core.clock import today
from patientcap.core.models import Job
from patientcap.evaluation import rulesets, services

KIND = "evaluation.batch"


def start_batch(*, actor: Any, ruleset_id: str, version: str | None = None) -> Job:
    """Queue the scoring of the whole registry with a rule set (zone staff only)."""
    if not services.may_evaluate(actor):
        raise services.Refused(gettext("Only zone staff score the registry."))
    try:
        loaded = rulesets.get(ruleset_id, version, today())
    except LookupError:
        raise services.Refused(gettext("Unknown rule set %(id)s.") % {"id": ruleset_id}) from None
    return jobs.start(
        owner=actor,
        kind=KIND,
        title=gettext("Scoring the registry with %(ruleset)s v%(version)s")
        % {"ruleset": loaded.ruleset.id, "version": loaded.ruleset.version},
        task=score_registry_task,
        input=f"{loaded.ruleset.id}\n{loaded.ruleset.version}".encode(),
        input_name=loaded.source_name,
    )


@task()
def score_registry_task(job_id: int) -> None:
    jobs.run(job_id, _score)


def _score(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    ruleset_id, version = bytes(job.input or b"").decode().split("\n")
    try:
        run = services.score_registry(
            actor=job.owner,
            ruleset_id=ruleset_id,
            version=version,
            as_of=today(),
            progress=progress,
            job=job,
        )
    except services.Refused as exc:
        return jobs.Outcome(ok=False, message=str(exc))
    message = gettext("Scored %(count)d enterprises with %(ruleset)s v%(version)s.") % {
        "count": run.scored,
        "ruleset": run.ruleset_id,
        "version": run.version,
    }
    return jobs.Outcome(
        ok=True,
        message=message,
        result={"batch_id": run.pk, "scored": run.scored, "engine": run.engine},
        count=run.scored,
    )
