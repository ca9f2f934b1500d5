"""Matched-credit pages: the bank's queue of pending decisions with the working-day countdown,
the list of files (the zone's view of all, a bank's of its own, a firm's of its own), the apply
form with the firm's limit, a file's page (diligence package, clock and pauses, history and the
decision forms), and the SLA report by bank with its Excel export. Thin: the writes are in
services.py and actions.py, the figures in selectors.py, every queryset from `scoping`."""

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.approvals import services as approvals
from patientcap.approvals.models import Proposal
from patientcap.approvals.models import Status as ProposalStatus
from patientcap.core.clock import today
from patientcap.domain.money import AmountError, parse_amount
from patientcap.enterprises.models import Enterprise
from patientcap.matching import exporting, selectors, services
from patientcap.matching.models import Application, Document, RejectionReason, Status
from patientcap.policy.calendar import working_calendar

QUEUE_ROLES = {Role.BANK_OFFICER, Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}
LIST_ROLES = QUEUE_ROLES | {Role.ENTERPRISE_USER}


def _role(request: HttpRequest, roles: set[Role]) -> Any:
    user: Any = request.user
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied
    return user


def _parse_date(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise services.Refused(_("Give the date as YYYY-MM-DD."), field="on") from None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _role(request, QUEUE_ROLES)
    as_of = today()
    rows = selectors.queue(scoping.readable(user, Application), working_calendar(), as_of)
    return render(request, "matching/queue.html", {"rows": rows, "as_of": as_of})


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    user = _role(request, LIST_ROLES)
    qs = selectors.with_pauses(scoping.readable(user, Application))
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    bank = request.GET.get("bank", "")
    if bank.isdigit():
        qs = qs.filter(bank_id=int(bank))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    cal, as_of = working_calendar(), today()
    rows = [selectors.QueueRow(a, selectors.clock_state(a, cal, as_of)) for a in page.object_list]
    banks = services.bank_directory().filter(
        pk__in=scoping.readable(user, Application).values("bank_id")
    )
    return render(
        request,
        "matching/applications.html",
        {
            "page": page,
            "rows": rows,
            "statuses": Status.choices,
            "status": status,
            "banks": banks,
            "bank": bank,
            "may_apply": user.role in (Role.ENTERPRISE_USER, Role.ZONE_OFFICER),
        },
    )


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    user = _role(request, {Role.ENTERPRISE_USER, Role.ZONE_OFFICER})
    firms = scoping.writable(user, Enterprise).order_by("name")
    chosen = request.POST.get("enterprise") or request.GET.get("enterprise") or ""
    if chosen:  # the firm named in the form, if the user may act for it
        firm = firms.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    else:  # an enterprise user acts for their own firm
        firm = firms.first() if user.role == Role.ENTERPRISE_USER else None
    banks = services.bank_directory()
    error, limit, used, values = "", None, 0, request.POST
    if firm is not None:
        try:
            limit, _versions = services.limit_for(firm.pk, today())
            used = services.used_fen(firm.pk)
        except services.Refused as exc:
            error = exc.message
    if request.method == "POST":
        try:
            if firm is None:
                raise services.Refused(_("Choose the enterprise."), field="enterprise")
            bank = request.POST.get("bank", "")
            app = services.apply(
                actor=user,
                enterprise_id=firm.pk,
                bank_id=int(bank) if bank.isdigit() else 0,
                amount_fen=_amount(request.POST.get("amount", "")),
                purpose=request.POST.get("purpose", ""),
            )
        except services.Refused as exc:
            error = exc.message
        else:
            messages.success(
                request, _("The application was submitted to %(bank)s.") % {"bank": app.bank}
            )
            return redirect("matching:detail", pk=app.pk)
    return render(
        request,
        "matching/apply.html",
        {
            "firm": firm,
            "firms": firms if user.role == Role.ZONE_OFFICER else None,
            "banks": banks,
            "limit": limit,
            "used": used,
            "left": max(limit.total_fen - used, 0) if limit else 0,
            "error": error,
            "values": values,
        },
        status=422 if error and request.method == "POST" else 200,
    )


def _amount(text: str) -> int:
    try:
        return parse_amount(text)
    except AmountError:
        raise services.Refused(
            _("Give the amount in yuan, e.g. 2000000.00 or 200万."), field="amount"
        ) from None


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    app = get_object_or_404(selectors.with_pauses(scoping.readable(user, Application)), pk=pk)
    state = selectors.clock_state(app, working_calendar(), today())
    may_write = scoping.writable(user, Application).filter(pk=app.pk).exists()
    role = getattr(user, "role", "")
    proposals = scoping.readable(user, Proposal).filter(
        action__in=("matching.decide", "matching.disburse"),
        target__startswith=f"matched_credit:{app.pk}:",
    )
    package = getattr(app, "package", None)
    return render(
        request,
        "matching/detail.html",
        {
            "app": app,
            "clock": state,
            "calendar_error": services.calendar_gap(state.error) if state.error else "",
            "package": package,
            "documents": app.documents.defer("content"),
            "transitions": app.transitions.select_related("by"),
            "pauses": app.pauses.select_related("started_by", "ended_by"),
            "proposals": proposals,
            "pending": proposals.filter(status=ProposalStatus.PENDING).exists(),
            "may_complete_dd": may_write
            and role == Role.ZONE_OFFICER
            and app.status == Status.SUBMITTED,
            "may_bank": may_write and role == Role.BANK_OFFICER,
            "may_upload": may_write and app.is_open,
            "reasons": RejectionReason.choices,
            "Status": Status,
        },
    )


def _step(request: HttpRequest, pk: int, do: Any) -> HttpResponse:
    """Run a POSTed step; its refusal shows on the file's page, nothing written."""
    scoping.get_readable(request.user, Application, pk=pk)  # 404 before anything else
    try:
        message = do()
    except services.Refused as exc:
        messages.error(request, exc.message)
    except approvals.ProposalRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("matching:detail", pk=pk)


@login_required
@require_POST
def complete_dd(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        services.complete_due_diligence(
            actor=request.user,
            application_id=pk,
            summary=request.POST.get("summary", ""),
            on=_parse_date(request.POST.get("on", "")),
        )
        return _("Due diligence is complete: the bank's clock has started.")

    return _step(request, pk, do)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        services.pause(
            actor=request.user,
            application_id=pk,
            documents=request.POST.get("documents", ""),
            on=_parse_date(request.POST.get("on", "")),
        )
        return _("The clock is paused until the documents arrive.")

    return _step(request, pk, do)


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        services.resume(
            actor=request.user,
            application_id=pk,
            on=_parse_date(request.POST.get("on", "")),
            note=request.POST.get("note", ""),
        )
        return _("The clock runs again.")

    return _step(request, pk, do)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        proposal = approvals.propose(
            action="matching.decide",
            payload={
                "application_id": pk,
                "decision": request.POST.get("decision", ""),
                "amount": request.POST.get("amount", ""),
                "reasons": request.POST.getlist("reasons"),
                "note": request.POST.get("note", ""),
                "on": request.POST.get("on", ""),
            },
            reason=request.POST.get("note", "") or request.POST.get("decision", ""),
            by=request.user,
        )
        return _("Decision proposed (#%(id)s): another officer of your bank approves it.") % {
            "id": proposal.pk
        }

    return _step(request, pk, do)


@login_required
@require_POST
def disburse(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        proposal = approvals.propose(
            action="matching.disburse",
            payload={
                "application_id": pk,
                "amount": request.POST.get("amount", ""),
                "on": request.POST.get("on", ""),
                "loan_reference": request.POST.get("loan_reference", ""),
            },
            reason=_("Disbursement of matched credit"),
            by=request.user,
        )
        return _("Disbursement proposed (#%(id)s): another officer of your bank approves it.") % {
            "id": proposal.pk
        }

    return _step(request, pk, do)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    def do() -> str:
        f = request.FILES.get("file")
        if f is None:
            raise services.Refused(_("Choose a file."), field="file")
        if f.size and f.size > services.MAX_DOCUMENT_BYTES:
            raise services.Refused(_("The file is larger than 10 MB."), field="file")
        doc = services.upload_document(
            actor=request.user,
            application_id=pk,
            title=request.POST.get("title", ""),
            file_name=f.name or "document",
            content=f.read(),
            content_type=f.content_type or "application/octet-stream",
        )
        return _("%(title)s was added to the file.") % {"title": doc.title}

    return _step(request, pk, do)


@login_required
def document(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    doc = scoping.get_readable(request.user, Document, pk=doc_id, application_id=pk)
    response = HttpResponse(bytes(doc.content), content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{_ascii(doc.file_name)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name) or "document"


@login_required
def sla(request: HttpRequest) -> HttpResponse:
    user = _role(request, QUEUE_ROLES)
    as_of = today()
    rows = selectors.sla_by_bank(scoping.readable(user, Application), working_calendar(), as_of)
    chart = [
        [
            r.bank,
            str((r.attainment or 0) * 100),
            str(r.median_days if r.median_days is not None else ""),
            r.overdue_now,
        ]
        for r in rows
    ]
    return render(request, "matching/sla.html", {"rows": rows, "as_of": as_of, "chart": chart})


@login_required
def sla_export(request: HttpRequest) -> HttpResponse:
    user = _role(request, QUEUE_ROLES)
    as_of = today()
    out = io.BytesIO()
    exporting.write_sla(out, scoping.readable(user, Application), working_calendar(), as_of)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="matched-credit-sla-{as_of}.xlsx"'
    return response
