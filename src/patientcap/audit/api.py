"""Audit API (zone staff and auditors): the audit trail, newest first, filtered by object and
actor; auditors may also run the chain verification."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.accounts.models import Role
from patientcap.audit import selectors, services
from patientcap.audit.models import AuditEntry
from patientcap.audit.scopes import reads_audit_trail

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    lane: int
    position: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_before(obj: AuditEntry) -> Any:
        return obj.before

    @staticmethod
    def resolve_after(obj: AuditEntry) -> Any:
        return obj.after


class VerifyOut(Schema):
    intact: bool
    entries: int
    breaches: list[str]


def _reader(request: HttpRequest) -> Any:
    user = api_user(request)
    if not (user.is_superuser or reads_audit_trail(user)):
        raise HttpError(403, "The audit trail is for zone staff and auditors.")
    return user


@router.get("/entries", response=list[AuditEntryOut], summary="Audit entries, newest first")
@paginate(PageNumberPagination, page_size=100)
def entries(
    request: HttpRequest,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
) -> Any:
    user = _reader(request)
    return selectors.entries(
        scoping.readable(user, AuditEntry),
        object_type=object_type,
        object_id=object_id,
        actor=actor,
        action=action,
    )


@router.get("/entries/{seq}", response=AuditEntryOut, summary="One audit entry")
def entry(request: HttpRequest, seq: int) -> Any:
    return scoping.get_readable(_reader(request), AuditEntry, seq=seq)


@router.post("/verify", response=VerifyOut, summary="Walk the hash chains now (auditors)")
def verify(request: HttpRequest) -> Any:
    user = _reader(request)
    if not (user.is_superuser or user.role == Role.AUDITOR):
        raise HttpError(403, "Only auditors verify the audit trail.")
    breaches = services.verify()
    return {
        "intact": not breaches,
        "entries": AuditEntry.objects.count(),
        "breaches": [str(b) for b in breaches],
    }
