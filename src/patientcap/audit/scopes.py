"""Scope rules for the audit trail: zone staff and auditors read all of it; nobody changes it
(entries are appended only by `services.record`, inside the change they describe)."""

from typing import Any

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.audit.models import AuditEntry


def reads_audit_trail(user: Any) -> bool:
    """Zone staff and auditors (the same rule gates the pages, where a trail may be empty)."""
    return user.role in {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


scoping.register(
    AuditEntry,
    read=lambda u: scoping.ALL if reads_audit_trail(u) else scoping.NOTHING,
    write=lambda u: scoping.NOTHING,
)
