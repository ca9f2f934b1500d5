"""Audit trail pages: the log (paged, filtered by object type, object and actor), one entry with
its before/after and hashes, and, for auditors, the chain verification on demand."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.audit import selectors, services
from patientcap.audit.models import AuditEntry
from patientcap.audit.scopes import reads_audit_trail

FILTERS = ("object_type", "object_id", "actor", "action")
SHOWN_BREACHES = 200


def _reader(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_superuser or reads_audit_trail(user)):
        raise PermissionDenied
    return user


def _verifies(user: Any) -> bool:
    return user.is_superuser or user.role == Role.AUDITOR


@login_required
def log(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    readable = scoping.readable(user, AuditEntry)
    filters = {name: request.GET.get(name, "").strip() for name in FILTERS}
    page = Paginator(selectors.entries(readable, **filters), 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "object_types": selectors.object_types(readable),
            "can_verify": _verifies(user),
        },
    )


@login_required
def entry(request: HttpRequest, seq: int) -> HttpResponse:
    user = _reader(request)
    item = scoping.get_readable(user, AuditEntry, seq=seq)
    return render(
        request,
        "audit/entry.html",
        {
            "entry": item,
            "before": json.dumps(item.before, indent=2, ensure_ascii=False)
            if item.before_json
            else "",
            "after": json.dumps(item.after, indent=2, ensure_ascii=False)
            if item.after_json
            else "",
        },
    )


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the chains now (auditors): a POST, because it is work on demand, not a page."""
    user = _reader(request)
    if not _verifies(user):
        raise PermissionDenied
    breaches = services.verify()
    return render(
        request,
        "audit/_verify.html",
        {
            "breaches": breaches[:SHOWN_BREACHES],
            "count": len(breaches),
            "entries": AuditEntry.objects.count(),
        },
    )
