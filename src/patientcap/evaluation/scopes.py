"""Who may read and change evaluation rows (registered with `accounts.scoping`).

- Evaluations, their overrides and objections follow the firm they are about
  (`enterprises.scopes.enterprise_read`): zone staff and auditors read all, an enterprise user
  its own firm's, a bank or guarantor those of the firms that granted it access, a service
  agent those of the firms assigned to it.
- Zone staff (officer, reviewer) score firms and write evaluations and overrides; an enterprise
  user raises objections to its own firm's evaluations, zone staff answer them.
- Batch runs are the zone's work: zone staff and auditors read them.
- Rule set snapshots are the published cards: everyone signed in reads them, nobody edits them.
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.enterprises.models import Enterprise
from patientcap.enterprises.scopes import enterprise_read
from patientcap.evaluation.models import (
    BatchRun,
    Evaluation,
    Objection,
    Override,
    RuleSetSnapshot,
)

ZONE_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}


def _firms(user: Any, path: str) -> Q:
    q = enterprise_read(user)
    if q in (ALL, NOTHING):
        return q
    return Q(**{f"{path}__in": Enterprise.objects.filter(q).values("pk")})


def evaluation_read(user: Any) -> Q:
    return _firms(user, "enterprise")


def zone_write(user: Any) -> Q:
    return ALL if user.role in ZONE_STAFF else NOTHING


def override_read(user: Any) -> Q:
    return _firms(user, "evaluation__enterprise")


def objection_read(user: Any) -> Q:
    return _firms(user, "enterprise")


def objection_write(user: Any) -> Q:
    if user.role in ZONE_STAFF:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return NOTHING


def batch_read(user: Any) -> Q:
    return ALL if user.role in ZONE_STAFF | {Role.AUDITOR} else NOTHING


def register() -> None:
    scoping.register(Evaluation, read=evaluation_read, write=zone_write)
    scoping.register(Override, read=override_read, write=zone_write)
    scoping.register(Objection, read=objection_read, write=objection_write)
    scoping.register(BatchRun, read=batch_read, write=zone_write)
    scoping.register(RuleSetSnapshot, read=lambda user: ALL, write=lambda user: NOTHING)
