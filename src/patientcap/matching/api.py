"""Matched-credit API v1, for a bank's own system as much as for the pages: list and read the
files (with their clock), apply, complete due diligence, pause and resume the clock, propose the
decision or the disbursement (another officer of the bank approves it through
`/api/v1/approvals/{id}/approve`), and the SLA report by bank.

Amounts are integers named *_fen plus yuan strings; dates ISO. A file outside the caller's scope
is a 404 (another bank's file looks like no file); a step the caller may not take a 403; bad
input or a step the file's state refuses a 422 with `{"detail", "errors"}`; nothing is written.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.accounts.models import Role
from patientcap.approvals import services as approvals
from patientcap.core.clock import today
from patientcap.domain.money import AmountError, parse_amount, yuan
from patientcap.matching import selectors, services
from patientcap.matching.models import OPEN, Application
from patientcap.policy.calendar import working_calendar

router = Router(tags=["matching"])


class RefusalOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


SLA_READERS = {Role.BANK_OFFICER, Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}
REFUSALS = {403: RefusalOut, 409: RefusalOut, 422: RefusalOut}


class PauseOut(Schema):
    started_on: dt.date
    ended_on: dt.date | None
    documents_requested: str


class ClockOut(Schema):
    started: dt.date | None
    deadline: dt.date | None
    working_days_left: int | None
    working_days_paused: int
    paused: bool
    overdue: bool
    met: bool | None
    error: str


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    bank_id: int
    bank: str
    status: str
    applied_on: dt.date
    requested_fen: int
    requested: str
    purpose: str
    limit_fen: int
    limit: str
    invest_first_fen: int
    angel_fen: int
    policy_versions: dict[str, str]
    dd_completed_on: dt.date | None
    sla_days: int | None
    sla_version: str
    decided_on: dt.date | None
    approved_fen: int | None
    reasons: list[str]
    decision_note: str
    disbursed_on: dt.date | None
    disbursed_fen: int | None
    loan_reference: str
    clock: ClockOut
    pauses: list[PauseOut]
    package: dict[str, Any] | None


def _out(app: Application) -> dict[str, Any]:
    state = selectors.clock_state(app, working_calendar(), today())
    package = getattr(app, "package", None)
    return {
        **{
            f: getattr(app, f)
            for f in (
                "id",
                "enterprise_id",
                "bank_id",
                "status",
                "applied_on",
                "requested_fen",
                "purpose",
                "limit_fen",
                "invest_first_fen",
                "angel_fen",
                "policy_versions",
                "dd_completed_on",
                "sla_days",
                "sla_version",
                "decided_on",
                "approved_fen",
                "reasons",
                "decision_note",
                "disbursed_on",
                "disbursed_fen",
                "loan_reference",
            )
        },
        "enterprise": app.enterprise.name,
        "bank": app.bank.name,
        "requested": yuan(app.requested_fen),
        "limit": yuan(app.limit_fen),
        "clock": {
            "started": state.started,
            "deadline": state.deadline,
            "working_days_left": state.days_left,
            "working_days_paused": state.paused_days,
            "paused": state.paused,
            "overdue": state.overdue,
            "met": state.met,
            "error": services.calendar_gap(state.error) if state.error else "",
        },
        "pauses": [
            {
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "documents_requested": p.documents_requested,
            }
            for p in selectors.pauses_of(app)
        ],
        "package": None
        if package is None
        else {
            "items": package.items,
            "evaluation": package.evaluation,
            "summary": package.summary,
            "assembled_on": package.assembled_on,
        },
    }


def _refusal(exc: services.Refused | approvals.ProposalRefused) -> Status:
    if isinstance(exc, services.Refused):
        return Status(422, {"detail": exc.message, "errors": {exc.field or "file": [exc.message]}})
    return Status(exc.status_code, {"detail": exc.message, "errors": exc.errors})


def _file(request: HttpRequest, application_id: int) -> Application:
    readable = scoping.readable(api_user(request), Application)
    return get_object_or_404(selectors.with_pauses(readable), pk=application_id)


@router.get("/applications", response=list[ApplicationOut], summary="Files I may see")
@paginate(PageNumberPagination, page_size=100)
def list_applications(request: HttpRequest, status: str = "", open: bool = False) -> Any:
    qs = selectors.with_pauses(scoping.readable(api_user(request), Application))
    if status:
        qs = qs.filter(status=status)
    if open:
        qs = qs.filter(status__in=OPEN)
    return [_out(a) for a in qs.order_by("pk")]


class ApplyIn(Schema):
    enterprise_id: int
    bank_id: int
    amount: str
    purpose: str = ""


@router.post("/applications", response={201: ApplicationOut, **REFUSALS}, summary="Apply")
def apply(request: HttpRequest, data: ApplyIn) -> Any:
    try:
        try:
            amount = parse_amount(data.amount)
        except AmountError:
            raise services.Refused(
                _("Give the amount in yuan, e.g. 2000000.00 or 200万."), field="amount"
            ) from None
        app = services.apply(
            actor=api_user(request),
            enterprise_id=data.enterprise_id,
            bank_id=data.bank_id,
            amount_fen=amount,
            purpose=data.purpose,
        )
    except services.Refused as exc:
        return _refusal(exc)
    return Status(201, _out(_file(request, app.pk)))


@router.get("/applications/{application_id}", response=ApplicationOut, summary="One file")
def get_application(request: HttpRequest, application_id: int) -> Any:
    return _out(_file(request, application_id))


class DateIn(Schema):
    on: dt.date | None = None
    note: str = ""


class PauseIn(Schema):
    documents: str
    on: dt.date | None = None


def _step(request: HttpRequest, application_id: int, do: Any) -> Any:
    _file(request, application_id)  # 404 first
    try:
        do(api_user(request))
    except (services.Refused, approvals.ProposalRefused) as exc:
        return _refusal(exc)
    return Status(200, _out(_file(request, application_id)))


@router.post(
    "/applications/{application_id}/due-diligence-complete",
    response={200: ApplicationOut, **REFUSALS},
    summary="The zone hands over its diligence package; the clock starts",
)
def complete_dd(request: HttpRequest, application_id: int, data: DateIn) -> Any:
    return _step(
        request,
        application_id,
        lambda user: services.complete_due_diligence(
            actor=user, application_id=application_id, summary=data.note, on=data.on
        ),
    )


@router.post(
    "/applications/{application_id}/pause",
    response={200: ApplicationOut, **REFUSALS},
    summary="Pause the clock while waiting for documents",
)
def pause(request: HttpRequest, application_id: int, data: PauseIn) -> Any:
    return _step(
        request,
        application_id,
        lambda user: services.pause(
            actor=user, application_id=application_id, documents=data.documents, on=data.on
        ),
    )


@router.post(
    "/applications/{application_id}/resume",
    response={200: ApplicationOut, **REFUSALS},
    summary="Resume the clock",
)
def resume(request: HttpRequest, application_id: int, data: DateIn) -> Any:
    return _step(
        request,
        application_id,
        lambda user: services.resume(
            actor=user, application_id=application_id, on=data.on, note=data.note
        ),
    )


class DecideIn(Schema):
    decision: str
    amount: str = ""
    reasons: list[str] = []
    note: str = ""
    on: dt.date | None = None


class DisburseIn(Schema):
    amount: str
    on: dt.date | None = None
    loan_reference: str = ""


class ProposedOut(Schema):
    proposal_id: int
    status: str
    summary: str


def _propose(
    request: HttpRequest, application_id: int, action: str, payload: dict, reason: str
) -> Any:
    _file(request, application_id)
    try:
        p = approvals.propose(
            action=action,
            payload={"application_id": application_id, **payload},
            reason=reason,
            by=api_user(request),
        )
    except approvals.ProposalRefused as exc:
        return _refusal(exc)
    return Status(201, {"proposal_id": p.pk, "status": p.status, "summary": p.summary})


@router.post(
    "/applications/{application_id}/decide",
    response={201: ProposedOut, **REFUSALS},
    summary="Propose the bank's decision (another officer of the bank approves it)",
)
def decide(request: HttpRequest, application_id: int, data: DecideIn) -> Any:
    payload = {
        "decision": data.decision,
        "amount": data.amount,
        "reasons": data.reasons,
        "note": data.note,
        "on": data.on.isoformat() if data.on else "",
    }
    return _propose(request, application_id, "matching.decide", payload, data.note or data.decision)


@router.post(
    "/applications/{application_id}/disburse",
    response={201: ProposedOut, **REFUSALS},
    summary="Propose the disbursement (another officer of the bank approves it)",
)
def disburse(request: HttpRequest, application_id: int, data: DisburseIn) -> Any:
    payload = {
        "amount": data.amount,
        "on": data.on.isoformat() if data.on else "",
        "loan_reference": data.loan_reference,
    }
    return _propose(
        request, application_id, "matching.disburse", payload, data.loan_reference or "disbursement"
    )


class BankSlaOut(Schema):
    bank_id: int
    bank: str
    files: int
    disbursed: int
    disbursed_within_deadline: int
    attainment: str | None
    median_working_days: str | None
    open: int
    overdue_now: int


@router.get(
    "/sla", response={200: list[BankSlaOut], 403: RefusalOut}, summary="SLA attainment by bank"
)
def sla(request: HttpRequest) -> Any:
    user = api_user(request)
    if not (user.is_superuser or user.role in SLA_READERS):
        return Status(403, {"detail": _("The SLA report is for banks, zone staff and auditors.")})
    rows = selectors.sla_by_bank(scoping.readable(user, Application), working_calendar(), today())
    return [
        {
            "bank_id": r.bank_id,
            "bank": r.bank,
            "files": r.files,
            "disbursed": r.disbursed,
            "disbursed_within_deadline": r.on_time,
            "attainment": None if r.attainment is None else str(r.attainment),
            "median_working_days": None if r.median_days is None else str(r.median_days),
            "open": r.open,
            "overdue_now": r.overdue_now,
        }
        for r in rows
    ]
