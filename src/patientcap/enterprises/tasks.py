"""The Excel import of enterprises as a background job.

The import page and the API store the upload in a job (`start_import`) and answer at once;
`patientcap db_worker` runs `import_enterprises`, which imports the file exactly as the command
line does (`importing.import_workbook`: all or nothing, every bad cell reported) and records the
counts or the problems on the job. `patientcap enterprises import FILE --as USER` still imports
at once, with its progress bar in the terminal.
"""

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django_tasks import task

from patientcap.accounts.models import Role
from patientcap.core import jobs
from patientcap.core.models import Job
from patientcap.enterprises import importing
from patientcap.enterprises.scopes import acts_for_zone

KIND = "enterprises.import"


def may_import(user: Any) -> bool:
    """The zone officer imports any enterprise; an enterprise user updates their own."""
    return acts_for_zone(user) or user.role == Role.ENTERPRISE_USER


def start_import(*, actor: Any, data: bytes, file_name: str) -> Job:
    """Queue the import of `data` (an .xlsx file) as `actor`; the job page follows it."""
    if not may_import(actor):
        raise PermissionDenied(gettext("You may not import enterprises."))
    return jobs.start(
        owner=actor,
        kind=KIND,
        title=gettext("Import of %(file)s") % {"file": file_name or "?"},
        task=import_enterprises,
        input=data,
        input_name=file_name,
    )


@task()
def import_enterprises(job_id: int) -> None:
    jobs.run(job_id, _import)


def _import(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    result = importing.import_workbook(
        actor=job.owner, data=bytes(job.input or b""), progress=progress
    )
    figures = {
        "file": job.input_name,
        "sha256": result.sha256,
        "rows": result.rows,
        "created": len(result.created),
        "updated": len(result.updated),
        "errors": [asdict(e) for e in result.errors],
    }
    if result.ok:
        message = gettext(
            "Imported %(rows)d rows: %(created)d enterprises registered, %(updated)d updated."
        ) % {k: figures[k] for k in ("rows", "created", "updated")}
    else:
        count = len(result.errors)
        message = ngettext(
            "%(count)d problem; nothing was imported.",
            "%(count)d problems; nothing was imported.",
            count,
        ) % {"count": count}
    return jobs.Outcome(ok=result.ok, message=message, result=figures, count=result.rows)
