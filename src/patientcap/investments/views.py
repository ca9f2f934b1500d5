"""Pages of the invest-first programme (thin: scoping, forms, then services and selectors).

Enterprise users see their own projects and apply; zone staff and auditors see every project,
the officer's queue, the pool, the portfolio metrics and the loss ratio; banks, guarantors and
service agents get 403 here. Steps that move money (decision, disbursement, conversion,
write-off, exit) are proposed here and run when a second person approves them in the approvals
queue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.approvals import rules
from patientcap.approvals.models import Proposal, Status
from patientcap.approvals.registry import get_action
from patientcap.approvals.services import ProposalRefused, propose
from patientcap.core.clock import today
from patientcap.domain.messages import Invalid
from patientcap.domain.money import yuan
from patientcap.enterprises.models import Enterprise
from patientcap.investments import exporting, forms, selectors, services
from patientcap.investments.actions import explain
from patientcap.investments.models import Evidence, Milestone, Project, Stage, Tranche
from patientcap.ledger.models import Account as LedgerAccount

PROGRAMME_ROLES = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR, Role.ENTERPRISE_USER}
ZONE_READERS = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not (user.is_superuser or user.role in PROGRAMME_ROLES):
        raise PermissionDenied
    return user


def _zone_reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not (user.is_superuser or user.role in ZONE_READERS):
        raise PermissionDenied
    return user


def _may(user: Any, action: str) -> bool:
    spec = get_action(action)
    return spec is not None and rules.refusal_to_propose(user, spec) is None


def _as_of(request: HttpRequest) -> tuple[dt.date, str | None]:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today(), None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        return today(), _("%(value)s is not a date (YYYY-MM-DD); today is shown.") % {"value": raw}
    return value, None


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _proposed(
    request: HttpRequest, project: Project, action: str, payload: dict, reason: str
) -> HttpResponse:
    try:
        proposal = propose(action=action, payload=payload, reason=reason, by=request.user)
    except ProposalRefused as exc:
        for problem in [p for ps in exc.errors.values() for p in ps] or [exc.message]:
            messages.error(request, problem)
        return redirect("investments:project", project.pk)
    messages.success(request, _("Proposed. It takes effect when another person approves it."))
    return redirect("approvals:detail", proposal.pk)


def _writable_project(request: HttpRequest, pk: int) -> Project:
    return scoping.get_writable(request.user, Project, pk=pk)


# --- Pipeline and application ------------------------------------------------------------------
@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    projects = scoping.readable(user, Project)
    return render(
        request,
        "investments/pipeline.html",
        {
            "stages": selectors.pipeline(projects),
            "may_apply": user.role in {Role.ZONE_OFFICER, Role.ENTERPRISE_USER},
            "zone_reader": user.is_superuser or user.role in ZONE_READERS,
        },
    )


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if user.role not in {Role.ZONE_OFFICER, Role.ENTERPRISE_USER}:
        raise PermissionDenied
    enterprises = [(e.pk, e.name) for e in scoping.writable(user, Enterprise).order_by("name")]
    form = forms.ApplicationForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.apply(
                enterprise_id=d["enterprise"],
                title=d["title"],
                plan=d["plan"],
                requested_fen=d["requested"],
                on=today(),
                actor=user,
            )
        except Invalid as exc:
            form.add_error(None, explain(exc))
        else:
            messages.success(request, _("Application received."))
            return redirect("investments:project", project.pk)
    return render(request, "investments/apply.html", {"form": form})


# --- The project page --------------------------------------------------------------------------
@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = scoping.get_readable(user, Project, pk=pk)
    writable = scoping.writable(user, Project).filter(pk=obj.pk).exists()
    agreement = getattr(obj, "agreement", None)
    milestones = (
        agreement.milestones.prefetch_related("evidence__submitted_by", "verdicts__given_by")
        if agreement
        else []
    )
    officer = writable and user.role == Role.ZONE_OFFICER
    staff = writable and user.role in {Role.ZONE_OFFICER, Role.REVIEWER}
    stage = obj.stage
    pending = scoping.readable(user, Proposal).filter(
        status=Status.PENDING, payload__project_id=obj.pk
    )
    context = {
        "project": obj,
        "timeline": selectors.timeline(obj),
        "agreement": agreement,
        "tranches": agreement.tranches.all() if agreement else [],
        "milestones": milestones,
        "disbursed_fen": services.disbursed_fen(agreement) if agreement else 0,
        "pending": pending if user.role in ZONE_READERS or user.is_superuser else [],
        "today": today(),
        "may": {
            "review": staff and stage in (Stage.APPLIED, Stage.UNDER_REVIEW),
            "decide": officer and stage == Stage.UNDER_REVIEW and _may(user, "investments.decide"),
            "sign": officer and stage == Stage.APPROVED,
            "disburse": officer and stage in (Stage.SIGNED, Stage.DISBURSING),
            "evidence": writable
            and user.role != Role.REVIEWER
            and stage in (Stage.SIGNED, Stage.DISBURSING),
            "verdict": staff and stage in (Stage.SIGNED, Stage.DISBURSING),
            "convert": officer and stage == Stage.DISBURSING,
            "diligence": staff and stage in (Stage.SIGNED, Stage.DISBURSING),
            "write_off": officer and stage == Stage.DISBURSING,
            "exit": officer and stage in (Stage.DISBURSING, Stage.CONVERTED),
        },
        "forms": {
            "review": forms.ReviewForm(),
            "decide": forms.DecisionForm(
                initial={"date": today(), "amount": yuan(obj.requested_fen)}
            ),
            "disburse": forms.DisburseForm(initial={"date": today()}),
            "evidence": forms.EvidenceForm(),
            "verdict": forms.VerdictForm(),
            "convert": forms.ConvertForm(initial={"date": today()}),
            "diligence": forms.DiligenceForm(),
            "write_off": forms.WriteOffForm(
                initial={"date": today()},
                reviews=[(d.pk, f"{d.reviewed_on} {d.findings[:40]}") for d in obj.diligence.all()],
            ),
            "exit": forms.ExitForm(initial={"date": today()}),
        },
    }
    return render(request, "investments/project.html", context)


@require_POST
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        d = form.cleaned_data
        try:
            services.add_review(
                project_id=obj.pk,
                score=d["score"],
                opinion=d["opinion"],
                on=today(),
                actor=request.user,
                evaluation_id=d.get("evaluation_id"),
            )
            messages.success(request, _("Review recorded."))
        except Invalid as exc:
            messages.error(request, explain(exc))
    return redirect("investments:project", obj.pk)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("investments:project", obj.pk)
    d = form.cleaned_data
    payload = {
        "project_id": obj.pk,
        "approved": d["approved"],
        "date": d["date"].isoformat(),
        "comment": d["comment"],
        "amount_fen": d["amount"],
    }
    return _proposed(request, obj, "investments.decide", payload, d["reason"])


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = _writable_project(request, pk)
    if user.role != Role.ZONE_OFFICER and not user.is_superuser:
        raise PermissionDenied
    decision = getattr(obj, "decision", None)
    initial = {"signed_on": today(), "amount": yuan(decision.amount_fen) if decision else ""}
    form = forms.AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_agreement(project_id=obj.pk, actor=user, **form.terms())
        except Invalid as exc:
            form.add_error(None, explain(exc))
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("investments:project", obj.pk)
    return render(request, "investments/agreement.html", {"form": form, "project": obj})


@require_POST
@login_required
def disburse(request: HttpRequest, pk: int) -> HttpResponse:
    tranche = scoping.get_writable(request.user, Tranche, pk=pk)
    obj = tranche.agreement.project
    form = forms.DisburseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("investments:project", obj.pk)
    d = form.cleaned_data
    payload = {"tranche_id": tranche.pk, "date": d["date"].isoformat()}
    return _proposed(request, obj, "investments.disburse", payload, d["reason"])


@require_POST
@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = scoping.get_writable(request.user, Milestone, pk=pk)
    project_pk = milestone.agreement.project_id
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.submit_evidence(
                milestone_id=milestone.pk,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                on=today(),
                actor=request.user,
            )
            messages.success(request, _("Evidence submitted; a reviewer gives the verdict."))
        except Invalid as exc:
            messages.error(request, explain(exc))
    return redirect("investments:project", project_pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    _reader(request)
    item = scoping.get_readable(request.user, Evidence, pk=pk)
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1]
    )


@require_POST
@login_required
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = scoping.get_writable(request.user, Milestone, pk=pk)
    form = forms.VerdictForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.give_verdict(
                milestone_id=milestone.pk,
                met=form.cleaned_data["met"],
                comment=form.cleaned_data["comment"],
                on=today(),
                actor=request.user,
            )
            messages.success(request, _("Verdict recorded."))
        except Invalid as exc:
            messages.error(request, explain(exc))
    return redirect("investments:project", milestone.agreement.project_id)


@require_POST
@login_required
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.ConvertForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("investments:project", obj.pk)
    d = form.cleaned_data
    payload = {
        "project_id": obj.pk,
        "date": d["date"].isoformat(),
        "trigger_occurred": d["trigger_occurred"],
        "round_id": d.get("round_id"),
        "exit_route": d["exit_route"],
        "exit_horizon_years": d["exit_horizon_years"],
        "target_multiple": str(d["target_multiple"]),
    }
    return _proposed(request, obj, "investments.convert", payload, d["reason"])


@require_POST
@login_required
def diligence(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.DiligenceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        d = form.cleaned_data
        try:
            services.record_diligence(
                project_id=obj.pk,
                on=today(),
                findings=d["findings"],
                duly_diligent=d["duly_diligent"],
                recovered_fen=d.get("recovered") or 0,
                actor=request.user,
            )
            messages.success(request, _("Diligence review recorded."))
        except Invalid as exc:
            messages.error(request, explain(exc))
    return redirect("investments:project", obj.pk)


@require_POST
@login_required
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.WriteOffForm(
        request.POST, reviews=[(d.pk, str(d.pk)) for d in obj.diligence.all()]
    )
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("investments:project", obj.pk)
    d = form.cleaned_data
    payload = {
        "project_id": obj.pk,
        "diligence_id": d["diligence_id"],
        "date": d["date"].isoformat(),
    }
    return _proposed(request, obj, "investments.write_off", payload, d["reason"])


@require_POST
@login_required
def exit_stake(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _writable_project(request, pk)
    form = forms.ExitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("investments:project", obj.pk)
    d = form.cleaned_data
    payload = {
        "project_id": obj.pk,
        "route": d["route"],
        "date": d["date"].isoformat(),
        "proceeds": d["proceeds"],
        "exit_value": d["exit_value"],
        "buyer": d["buyer"],
    }
    return _proposed(request, obj, "investments.exit", payload, d["reason"])


# --- The zone's views --------------------------------------------------------------------------
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _zone_reader(request)
    as_of, error = _as_of(request)
    return render(
        request,
        "investments/queue.html",
        {
            "queue": selectors.queue(selectors.Rows.readable(user), as_of),
            "as_of": as_of,
            "error": error,
        },
    )


@login_required
def pool(request: HttpRequest) -> HttpResponse:
    user = _zone_reader(request)
    as_of, error = _as_of(request)
    rows = selectors.Rows.readable(user)
    cash = scoping.get_readable(user, LedgerAccount, code="fiscal_pool.cash")
    contributions = scoping.get_readable(user, LedgerAccount, code="fiscal_pool.contributions")
    series = selectors.balance_series(cash, as_of)
    return render(
        request,
        "investments/pool.html",
        {
            "as_of": as_of,
            "error": error,
            "figures": selectors.pool_figures(rows, as_of),
            "flows": selectors.flows_by_year(rows, contributions, as_of),
            "chart": {
                "balance": [[p.when.isoformat(), yuan(p.balance_fen)] for p in series],
                "sankey": selectors.sankey(rows, as_of),
            },
        },
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    user = _zone_reader(request)
    as_of, error = _as_of(request)
    result = selectors.portfolio(selectors.Rows.readable(user), as_of)
    return render(
        request, "investments/metrics.html", {"as_of": as_of, "error": error, "portfolio": result}
    )


@login_required
def losses(request: HttpRequest) -> HttpResponse:
    user = _zone_reader(request)
    as_of, error = _as_of(request)
    vintages = selectors.loss_ratio_by_vintage(selectors.Rows.readable(user), as_of)
    chart = [[v.year, str(v.loss_ratio or 0)] for v in vintages]
    return render(
        request,
        "investments/losses.html",
        {"as_of": as_of, "error": error, "vintages": vintages, "chart": chart},
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = _zone_reader(request)
    as_of, _error = _as_of(request)
    data = exporting.portfolio_workbook(selectors.Rows.readable(user), as_of)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="invest-first-{as_of.isoformat()}.xlsx"'
    )
    return response
