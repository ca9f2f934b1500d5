"""Who may follow which background job (registered with `accounts.scoping`).

A user sees the jobs they started; zone staff (zone officer, reviewer) also see their
organisation's, so a colleague can follow an import; auditors read all of them. Only the owner
"changes" a job (nothing edits jobs through scoping today; the rule keeps auditors out).
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL
from patientcap.core.models import Job


def job_read(user: Any) -> Q:
    if user.role == Role.AUDITOR:
        return ALL
    if user.is_zone_staff:
        return Q(owner=user) | Q(organisation_id=user.organisation_id)
    return Q(owner=user)


def job_write(user: Any) -> Q:
    return Q(owner=user)


def register() -> None:
    scoping.register(Job, read=job_read, write=job_write)
