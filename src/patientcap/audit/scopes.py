"""Scope rules for the audit trail: auditors read all of it; zone staff read it too, except what
it records about rows whose own scope rule hides them (another organisation's proposals, another
user's API tokens): the trail must not undo the scoping of the rows it records. Nobody changes
it (entries are appended only by `services.record`, inside the change they describe).
"""

from typing import Any

from django.apps import apps
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.audit.models import AuditEntry

# object_type -> the model whose scope rule also decides who reads its audit entries
_FOLLOWED: dict[str, str] = {}


def follow_object_scope(object_type: str, model_label: str) -> None:
    """Audit entries about `object_type` are readable (by zone staff) only where the row with
    that id is readable, by the model's own scope rule."""
    _FOLLOWED[object_type] = model_label


follow_object_scope("proposal", "approvals.Proposal")
follow_object_scope("api_token", "accounts.ApiToken")


def reads_audit_trail(user: Any) -> bool:
    """Zone staff and auditors (the same rule gates the pages, where a trail may be empty)."""
    return user.role in {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def _readable_entries(user: Any) -> Q:
    if user.role == Role.AUDITOR:
        return scoping.ALL
    if not reads_audit_trail(user):
        return scoping.NOTHING
    rule = scoping.ALL
    for object_type, label in _FOLLOWED.items():
        ids = (
            scoping.readable(user, apps.get_model(label))
            .annotate(id_text=Cast("pk", CharField()))
            .values("id_text")
        )
        rule &= ~Q(object_type=object_type) | Q(object_id__in=ids)
    return rule


scoping.register(AuditEntry, read=_readable_entries, write=lambda u: scoping.NOTHING)
