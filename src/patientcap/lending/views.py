"""Tiered-loan pages: my pending decisions, applications and loans (each party sees only its own
files), the loan page with its schedule and history, claims, the portfolio at risk and the
programme's reports with an Excel export. Pages are thin: rows come through `accounts.scoping`,
figures from `selectors`, changes from `services` or a maker-checker proposal."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, OrganisationType, Role
from patientcap.approvals import rules as approval_rules
from patientcap.approvals.registry import get_action
from patientcap.approvals.services import ProposalRefused, propose
from patientcap.core.clock import today
from patientcap.domain.messages import Invalid
from patientcap.domain.money import yuan
from patientcap.enterprises.models import Enterprise
from patientcap.lending import exporting, forms, selectors, services
from patientcap.lending.models import (
    CATEGORY_CHOICES,
    Application,
    ApplicationStatus,
    Claim,
    ClaimStatus,
    Loan,
    LoanStatus,
    Party,
)
from patientcap.lending.rules import Versions, explain

# On the pages the firm applies, or the zone officer for it; a bank applies for a firm from its
# own system through the API (the page's guarantor list is a directory banks do not browse).
APPLICANTS = {Role.ENTERPRISE_USER, Role.ZONE_OFFICER}
PORTFOLIO_READERS = {
    Role.ZONE_OFFICER,
    Role.REVIEWER,
    Role.AUDITOR,
    Role.BANK_OFFICER,
    Role.GUARANTOR_OFFICER,
}
REPORT_READERS = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return today()


def _may_propose(user: Any, action: str) -> bool:
    spec = get_action(action)
    return spec is not None and approval_rules.refusal_to_propose(user, spec) is None


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, Invalid):
        messages.error(request, explain(exc))
    elif isinstance(exc, ProposalRefused):
        problems = [p for ps in exc.errors.values() for p in ps]
        messages.error(request, " ".join([exc.message, *problems]))
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))


def _form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(
        request,
        " ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
            for f, e in form.errors.items()
        ),
    )


# --- Queue and lists ----------------------------------------------------------------------
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    q = selectors.pending_decisions(
        user, scoping.readable(user, Application), scoping.readable(user, Claim)
    )
    return render(request, "lending/queue.html", {"queue": q})


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    rows = scoping.readable(request.user, Application).select_related(
        "enterprise", "bank", "guarantor"
    )
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "lending/applications.html",
        {
            "rows": rows[:500],
            "statuses": ApplicationStatus.choices,
            "status": status,
            "may_apply": getattr(request.user, "role", "") in APPLICANTS,
        },
    )


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in APPLICANTS:
        raise PermissionDenied
    firms = scoping.readable(user, Enterprise).order_by("name")
    banks = Organisation.objects.filter(type=OrganisationType.BANK)
    if user.role == Role.BANK_OFFICER:
        banks = banks.filter(pk=user.organisation_id)
    form = forms.ApplicationForm(request.POST or None)
    fields: Any = form.fields
    fields["enterprise"].choices = [(e.pk, e.name) for e in firms[:2000]]
    fields["bank"].choices = [(o.pk, o.name) for o in banks]
    fields["guarantor"].choices = [
        (o.pk, o.name) for o in Organisation.objects.filter(type=OrganisationType.GUARANTOR)
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.apply(
                actor=user,
                enterprise_id=data["enterprise"],
                bank_id=data["bank"],
                guarantor_id=data["guarantor"],
                amount_fen=data["amount"],
                annual_rate=data["rate"],
                tenor_months=data["tenor_months"],
                method=data["method"],
                purpose=data["purpose"],
                on=today(),
            )
        except Invalid as exc:
            form.add_error(None, explain(exc))
        else:
            messages.success(request, _("Application %(ref)s submitted.") % {"ref": made.reference})
            return redirect("lending:application", pk=made.pk)
    return render(request, "lending/apply.html", {"form": form})


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Application, pk=pk)
    writable = scoping.writable(user, Application).filter(pk=pk).exists()
    done = {d.party for d in item.diligence.all()}
    side = {Role.BANK_OFFICER: Party.BANK, Role.GUARANTOR_OFFICER: Party.GUARANTOR}.get(user.role)
    context = {
        "app": item,
        "diligence": item.diligence.select_related("organisation", "decided_by"),
        "loan": scoping.readable(user, Loan).filter(application=item).first(),
        "dd_form": forms.DiligenceForm(initial={"date": today()})
        if writable and side and side not in done and item.status == ApplicationStatus.DILIGENCE
        else None,
        "approve_form": forms.ReasonForm(initial={"date": today()})
        if item.status == ApplicationStatus.READY
        and _may_propose(user, "lending.approve_application")
        else None,
        "contract_form": forms.ContractForm(initial={"signed_on": today()})
        if writable and user.role == Role.BANK_OFFICER and item.status == ApplicationStatus.APPROVED
        else None,
    }
    return render(request, "lending/application.html", context)


def _post_action(
    request: HttpRequest,
    handlers: dict[str, tuple[type, Callable[[Any], Any]]],
    back: HttpResponse,
) -> HttpResponse:
    """Run the handler the form names with its cleaned form; refusals become messages."""
    handler = handlers.get(request.POST.get("do", ""))
    if handler is None:
        messages.error(request, _("Unknown action."))
        return back
    form_class, run = handler
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    try:
        note = run(form.cleaned_data)
    except (Invalid, ProposalRefused, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, note)
    return back


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Application, pk=pk)
    back = redirect("lending:application", pk=item.pk)

    def diligence(data: dict) -> str:
        services.record_diligence(
            actor=user,
            application_id=item.pk,
            favourable=data["favourable"],
            opinion=data["opinion"],
            on=data["date"],
        )
        return _("Your due diligence is recorded.")

    def approve(data: dict) -> str:
        propose(
            action="lending.approve_application",
            payload={"application_id": item.pk, "date": data["date"].isoformat()},
            reason=data["reason"],
            by=user,
        )
        return _("The approval is proposed; a reviewer decides it.")

    def contract(data: dict) -> str:
        loan = services.sign_contract(
            actor=user,
            application_id=item.pk,
            contract_number=data["contract_number"],
            signed_on=data["signed_on"],
            guarantee_fee_percent=data["guarantee_fee"] * 100,
        )
        return _("Contract %(number)s recorded.") % {"number": loan.contract_number}

    return _post_action(
        request,
        {
            "diligence": (forms.DiligenceForm, diligence),
            "approve": (forms.ReasonForm, approve),
            "contract": (forms.ContractForm, contract),
        },
        back,
    )


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    rows = scoping.readable(request.user, Loan).select_related("enterprise", "bank", "guarantor")
    status = request.GET.get("status", "")
    if status in LoanStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "lending/loans.html",
        {"rows": rows[:500], "statuses": LoanStatus.choices, "status": status},
    )


@login_required
def loan(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Loan, pk=pk)
    on = _as_of(request)
    state = selectors.loan_state(item, on, Versions())
    instalments = list(item.instalments.select_related("disbursement"))
    bank_side = user.role == Role.BANK_OFFICER and (
        scoping.writable(user, Loan).filter(pk=pk).exists()
    )
    balance_chart = []
    outstanding = item.disbursed_fen
    for inst in sorted((i for i in instalments if not i.superseded), key=lambda i: i.due):
        outstanding -= inst.principal_fen
        balance_chart.append([inst.due.isoformat(), yuan(max(outstanding, 0))])
    claims = scoping.readable(user, Claim).filter(loan=item).prefetch_related("shares")
    context = {
        "loan": item,
        "on": on,
        "state": state,
        "category_label": dict(CATEGORY_CHOICES)[state.category],
        "flag_labels": [_(selectors.FLAG_LABELS[f]) for f in state.flags],
        "instalments": instalments,
        "repayments": item.repayments.all(),
        "disbursements": item.disbursements.all(),
        "events": item.events.select_related("by"),
        "claims": claims,
        "chart": balance_chart,
        "bank_side": bank_side,
        "forms": {
            "disburse": forms.DisburseForm(initial={"date": today()}),
            "repay": forms.RepayForm(initial={"date": today()}),
            "restructure": forms.RestructureForm(initial={"date": today()}),
            "write_off": forms.NoteForm(initial={"date": today()}),
            "claim": forms.ClaimForm(initial={"date": today()}),
        }
        if bank_side
        else {},
        "active": item.status == LoanStatus.ACTIVE,
    }
    return render(request, "lending/loan.html", context)


@login_required
@require_POST
def loan_action(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Loan, pk=pk)
    back = redirect("lending:loan", pk=item.pk)

    def disburse(data: dict) -> str:
        services.disburse(
            actor=user,
            loan_id=item.pk,
            amount_fen=data["amount"],
            on=data["date"],
            first_due=data["first_due"],
        )
        return _("Disbursement recorded, with its schedule.")

    def repay(data: dict) -> str:
        r = services.repay(
            actor=user,
            loan_id=item.pk,
            amount_fen=data["amount"],
            on=data["date"],
            reference=data["reference"],
        )
        return _("Repayment recorded: penalty %(p)s, interest %(i)s, principal %(c)s.") % {
            "p": yuan(r.penalty_fen),
            "i": yuan(r.interest_fen),
            "c": yuan(r.principal_fen),
        }

    def restructure(data: dict) -> str:
        services.restructure(
            actor=user,
            loan_id=item.pk,
            on=data["date"],
            tenor_months=data["tenor_months"],
            method=data["method"],
            note=data["note"],
        )
        return _("The loan is restructured.")

    def write_off(data: dict) -> str:
        services.write_off(actor=user, loan_id=item.pk, on=data["date"], note=data["note"])
        return _("The loan is written off.")

    def claim(data: dict) -> str:
        made = services.file_claim(
            actor=user, loan_id=item.pk, on=data["date"], statement=data["statement"]
        )
        return _("Claim %(ref)s filed.") % {"ref": made.reference}

    return _post_action(
        request,
        {
            "disburse": (forms.DisburseForm, disburse),
            "repay": (forms.RepayForm, repay),
            "restructure": (forms.RestructureForm, restructure),
            "write_off": (forms.NoteForm, write_off),
            "claim": (forms.ClaimForm, claim),
        },
        back,
    )


@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Claim, pk=pk)
    filed = item.status == ClaimStatus.FILED
    compensated = item.status == ClaimStatus.COMPENSATED
    return render(
        request,
        "lending/claim.html",
        {
            "claim": item,
            "shares": item.shares.select_related("organisation"),
            "recoveries": item.recoveries.all(),
            "review_form": forms.ReasonForm(initial={"date": today()})
            if filed and _may_propose(user, "lending.compensate_claim")
            else None,
            "reject_form": forms.NoteForm(initial={"date": today()})
            if filed and user.role == Role.ZONE_OFFICER
            else None,
            "recovery_form": forms.RecoveryForm(initial={"date": today()})
            if compensated and _may_propose(user, "lending.record_recovery")
            else None,
        },
    )


@login_required
@require_POST
def claim_action(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = scoping.get_readable(user, Claim, pk=pk)
    back = redirect("lending:claim", pk=item.pk)

    def compensate(data: dict) -> str:
        propose(
            action="lending.compensate_claim",
            payload={"claim_id": item.pk, "date": data["date"].isoformat()},
            reason=data["reason"],
            by=user,
        )
        return _("Compensation is proposed; a reviewer decides it.")

    def reject(data: dict) -> str:
        services.reject_claim(actor=user, claim_id=item.pk, note=data["note"], on=data["date"])
        return _("The claim is rejected.")

    def recover(data: dict) -> str:
        propose(
            action="lending.record_recovery",
            payload={
                "claim_id": item.pk,
                "amount_fen": data["amount"],
                "date": data["date"].isoformat(),
                "source": data["source"],
            },
            reason=data["reason"],
            by=user,
        )
        return _("The recovery is proposed; a reviewer decides it.")

    return _post_action(
        request,
        {
            "compensate": (forms.ReasonForm, compensate),
            "reject": (forms.NoteForm, reject),
            "recover": (forms.RecoveryForm, recover),
        },
        back,
    )


# --- Portfolio and reports ----------------------------------------------------------------
@login_required
def par(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in PORTFOLIO_READERS:
        raise PermissionDenied
    on = _as_of(request)
    loans_ = scoping.readable(user, Loan)
    report = selectors.par(loans_, on)
    names = dict(loans_.values_list("pk", "enterprise__name"))
    at_risk = sorted((r for r in report.rows if r.dpd > 0), key=lambda r: -r.dpd)
    return render(
        request,
        "lending/par.html",
        {
            "report": report,
            "at_risk": [(r, names.get(r.loan_id, "")) for r in at_risk],
            "by_bank": selectors.npl_by_bank(loans_, on),
            "chart": {
                "buckets": [[k, yuan(v)] for k, v in report.buckets.items()],
                "categories": [
                    [label, yuan(report.by_category[c])]
                    for c, label in selectors.engine_categories()
                ],
            },
        },
    )


def _report_reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role not in REPORT_READERS:
        raise PermissionDenied
    return user


def _sla_url() -> str:
    try:
        return reverse("matching:sla")
    except NoReverseMatch:
        return ""


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    user = _report_reader(request)
    on = _as_of(request)
    data = exporting.report_data(user, on)
    return render(
        request,
        "lending/reports.html",
        {
            **data,
            "sla_url": _sla_url(),
            "chart": {
                "monthly": [[m, yuan(v)] for m, v in data["monthly"]],
                "banks": [
                    [b["bank"], str(round(b["npl_ratio"] * 100, 2))] for b in data["by_bank"]
                ],
                "parties": [
                    [
                        f"{r['party_label']} {r['organisation']}".strip(),
                        yuan(r["loss_fen"]),
                        yuan(r["recovered_fen"]),
                    ]
                    for r in data["losses"]
                ],
            },
        },
    )


@login_required
def reports_export(request: HttpRequest) -> HttpResponse:
    user = _report_reader(request)
    on = _as_of(request)
    content = exporting.workbook(user, on)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tiered-loans-{on.isoformat()}.xlsx"'
    return response
