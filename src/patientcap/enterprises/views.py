"""Registry pages: list, detail, create and edit, yearly figures, certifications, sharing, and
Excel import/export. Views read through `selectors`, write through `services`, and show a
service's refusal on the form."""

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.core.models import Job
from patientcap.domain import registry
from patientcap.enterprises import exporting, selectors, services, tasks
from patientcap.enterprises.forms import (
    AssignmentForm,
    CertificationForm,
    EnterpriseForm,
    GrantForm,
    ImportForm,
    YearForm,
    apply_errors,
)
from patientcap.enterprises.models import (
    Certification,
    CertificationKind,
    Enterprise,
    EnterpriseAccessGrant,
    GrowthStage,
    ServiceAssignment,
)
from patientcap.enterprises.scopes import acts_for_zone, sees_personal_data
from patientcap.enterprises.tasks import may_import
from patientcap.enterprises.validation import PROFILE_FIELDS

RECENT_IMPORTS = 5
DIVISION_CHOICES = [(d, f"{d} {name}") for d, name in registry.DIVISIONS.items()]


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = selectors.ListFilters.from_params(request.GET)
    page = selectors.page(request.user, filters, request.GET.get("page"), today=today)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": params.urlencode(),
        "today": today,
        "stages": GrowthStage.choices,
        "kinds": CertificationKind.choices,
        "divisions": DIVISION_CHOICES,
        "sorts": [
            ("name", _("Name")),
            ("-registered", _("Newest registration")),
            ("registered", _("Oldest registration")),
            ("-updated", _("Recently updated")),
            ("uscc", _("Credit code")),
        ],
        "can_create": acts_for_zone(request.user),
        "can_import": may_import(request.user),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    template = "enterprises/_results.html" if htmx else "enterprises/list.html"
    return render(request, template, context)


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.enterprise_file(request.user, pk)
    enterprise = file.enterprise
    rep = enterprise.legal_representative
    return render(
        request,
        "enterprises/detail.html",
        {
            "file": file,
            "enterprise": enterprise,
            "industry": registry.industry_label(enterprise.industry_code),
            "legal_representative": rep
            if sees_personal_data(request.user, enterprise)
            else registry.mask_name(rep),
            "today": timezone.localdate(),
            "can_edit": scoping.writable(request.user, Enterprise).filter(pk=pk).exists(),
            "can_share": scoping.writable(request.user, Enterprise).filter(pk=pk).exists(),
            "show_sharing": getattr(request.user, "role", "")
            in {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}
            or bool(file.grants or file.assignments),
        },
    )


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    if not acts_for_zone(request.user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.create_enterprise(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enterprise registered."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": _("Register an enterprise"), "back": reverse("enterprises:list")},
    )


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = scoping.get_writable(request.user, Enterprise, pk=pk)
    initial = {f: getattr(enterprise, f) for f in PROFILE_FIELDS}
    form = EnterpriseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            services.update_enterprise(actor=request.user, enterprise_id=pk, changes=changed)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("enterprises:detail", pk=pk)
    return render(
        request,
        "enterprises/form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "title": _("Edit profile"),
            "back": reverse("enterprises:detail", args=[pk]),
        },
    )


@login_required
def year_edit(request: HttpRequest, pk: int, year: int | None = None) -> HttpResponse:
    enterprise = scoping.get_writable(request.user, Enterprise, pk=pk)
    initial: dict[str, Any] = {"year": year or timezone.localdate().year - 1}
    if year is not None:
        stored = selectors.year_values(request.user, pk, year)
        for kind, fields in YearForm.SECTIONS.items():
            row = getattr(stored, kind)
            if row is not None:
                initial.update({f: getattr(row, f) for f in fields})
    form = YearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and year is None:
        # "Add" must not silently replace (or, for empty sections, remove) a stored year.
        stored = selectors.year_values(request.user, pk, form.cleaned_data["year"])
        if any(getattr(stored, kind) for kind in YearForm.SECTIONS):
            form.add_error("year", _("Figures for this year exist already: edit them instead."))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_year_figures(
                actor=request.user,
                enterprise_id=pk,
                year=form.cleaned_data["year"],
                figures=form.figures(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Figures for %(year)s saved.") % {"year": form.cleaned_data["year"]}
            )
            return redirect("enterprises:detail", pk=pk)
    return render(
        request,
        "enterprises/year_form.html",
        {"form": form, "enterprise": enterprise, "year": year},
    )


@login_required
def certification_edit(request: HttpRequest, pk: int, cert_id: int | None = None) -> HttpResponse:
    enterprise = scoping.get_writable(request.user, Enterprise, pk=pk)
    cert = None
    if cert_id is not None:
        cert = get_object_or_404(
            scoping.readable(request.user, Certification), pk=cert_id, enterprise=enterprise
        )
    initial = (
        {f: getattr(cert, f) for f in ("kind", "certificate_number", "valid_from", "valid_to")}
        if cert
        else {}
    )
    form = CertificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_certification(
                actor=request.user, enterprise_id=pk, certification_id=cert_id, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Certification saved."))
            return redirect("enterprises:detail", pk=pk)
    return render(
        request,
        "enterprises/form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "title": _("Edit certification") if cert else _("Add a certification"),
            "back": reverse("enterprises:detail", args=[pk]),
        },
    )


@login_required
@require_POST
def certification_delete(request: HttpRequest, pk: int, cert_id: int) -> HttpResponse:
    get_object_or_404(scoping.readable(request.user, Certification), pk=cert_id, enterprise_id=pk)
    services.delete_certification(actor=request.user, certification_id=cert_id)
    messages.success(request, _("Certification removed."))
    return redirect("enterprises:detail", pk=pk)


@login_required
def access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who else sees this enterprise: consent grants to banks and guarantors, service agents."""
    file = selectors.enterprise_file(request.user, pk)
    can_share = scoping.writable(request.user, Enterprise).filter(pk=pk).exists()
    grant_form = GrantForm(request.POST if "grant" in request.POST else None)
    assign_form = AssignmentForm(
        request.POST if "assign" in request.POST else None, initial={"since": timezone.localdate()}
    )
    if request.method == "POST":
        form, action = (grant_form, _grant) if "grant" in request.POST else (assign_form, _assign)
        if form.is_valid():
            try:
                action(request, pk, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("enterprises:access", pk=pk)
    return render(
        request,
        "enterprises/access.html",
        {
            "file": file,
            "enterprise": file.enterprise,
            "can_share": can_share,
            "can_assign": acts_for_zone(request.user),
            "grant_form": grant_form,
            "assign_form": assign_form,
            "today": timezone.localdate(),
        },
    )


def _grant(request: HttpRequest, pk: int, data: dict) -> None:
    services.grant_access(
        actor=request.user,
        enterprise_id=pk,
        organisation_id=data["organisation"].pk,
        purpose=data["purpose"],
    )
    messages.success(
        request, _("%(org)s can now see this enterprise.") % {"org": data["organisation"]}
    )


def _assign(request: HttpRequest, pk: int, data: dict) -> None:
    services.assign_agent(
        actor=request.user,
        enterprise_id=pk,
        agent_id=data["agent"].pk,
        since=data["since"],
        until=data["until"],
    )
    messages.success(request, _("Service agent assigned."))


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    get_object_or_404(
        scoping.readable(request.user, EnterpriseAccessGrant), pk=grant_id, enterprise_id=pk
    )
    try:
        services.revoke_access(actor=request.user, grant_id=grant_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Access revoked."))
    return redirect("enterprises:access", pk=pk)


@login_required
@require_POST
def end_assignment(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    get_object_or_404(
        scoping.readable(request.user, ServiceAssignment), pk=assignment_id, enterprise_id=pk
    )
    try:
        services.end_assignment(
            actor=request.user, assignment_id=assignment_id, until=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Assignment ended."))
    return redirect("enterprises:access", pk=pk)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: it is imported in the background and its job page follows it."""
    if not may_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = tasks.start_import(actor=request.user, data=upload.read(), file_name=upload.name)
        return redirect("job", pk=job.pk)
    recent = (
        scoping.readable(request.user, Job)
        .filter(kind=tasks.KIND, owner_id=request.user.pk)
        .defer("input")[:RECENT_IMPORTS]
    )
    return render(request, "enterprises/import.html", {"form": form, "recent": recent})


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exporting.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    exporting.write_template(out)
    return _xlsx(out.getvalue(), "enterprises-template.xlsx")


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The enterprises of the list as it is filtered, in the import layout."""
    today = timezone.localdate()
    filters = selectors.ListFilters.from_params(request.GET)
    out = io.BytesIO()
    exporting.export_workbook(
        request.user, selectors.enterprises(request.user, filters, today=today), out
    )
    return _xlsx(out.getvalue(), exporting.filename("enterprises", today))
