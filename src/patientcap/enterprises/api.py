"""Registry API: list (filters, paging), detail with related data, create, partial update,
Excel import (a background job: 202 and the job to poll) and export. Amounts are integers named
*_fen; ratios are decimal strings. `api_user(request)` is the acting user; rows come from the same
scoped selectors as the pages."""

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from patientcap.accounts.auth import api_user
from patientcap.core import api as jobs_api
from patientcap.core.api import JobStartedOut
from patientcap.domain import registry
from patientcap.enterprises import exporting, selectors, services, tasks
from patientcap.enterprises.models import Certification, Enterprise
from patientcap.enterprises.scopes import sees_personal_data

router = Router(tags=["enterprises"])
T = TypeVar("T")
MAX_PAGE_SIZE = 200
MAX_IMPORT_BYTES = 50 * 1024 * 1024


class ProfileIn(Schema):
    uscc: str
    name: str
    registration_date: dt.date
    industry_code: str
    growth_stage: str
    strategic_emerging: bool = False
    strategic_category: str = ""
    district: str = ""
    address: str = ""
    legal_representative: str = ""


class ProfilePatch(Schema):
    """Only the fields sent are changed."""

    uscc: str | None = None
    name: str | None = None
    registration_date: dt.date | None = None
    industry_code: str | None = None
    growth_stage: str | None = None
    strategic_emerging: bool | None = None
    strategic_category: str | None = None
    district: str | None = None
    address: str | None = None
    legal_representative: str | None = None


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    registration_date: dt.date
    industry_code: str
    industry_division: str
    strategic_emerging: bool
    strategic_category: str
    growth_stage: str
    district: str
    address: str
    legal_representative: str
    updated_at: dt.datetime
    certifications_valid_today: list[str]


class CertificationOut(Schema):
    id: int
    kind: str
    certificate_number: str
    valid_from: dt.date
    valid_to: dt.date
    valid_today: bool


class FinancialOut(Schema):
    year: int
    revenue_fen: int | None
    main_business_revenue_fen: int | None
    rd_expense_fen: int | None
    total_cost_fen: int | None
    total_assets_fen: int | None
    total_liabilities_fen: int | None
    operating_cash_flow_fen: int | None
    orders_backlog_fen: int | None
    top_customer_share: Decimal | None


class HeadcountOut(Schema):
    year: int
    total: int | None
    tech_staff: int | None
    rd_staff: int | None


class IpOut(Schema):
    year: int
    invention_patents: int | None
    utility_model_patents: int | None
    design_patents: int | None
    software_copyrights: int | None


class TeamOut(Schema):
    year: int
    founders_max_industry_years: int | None
    founders_avg_industry_years: Decimal | None
    key_staff_turnover: Decimal | None


class EnterpriseDetailOut(EnterpriseOut):
    certifications: list[CertificationOut]
    financial_years: list[FinancialOut]
    headcounts: list[HeadcountOut]
    ip: list[IpOut]
    teams: list[TeamOut]


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[EnterpriseOut]


class ErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class DetailOut(Schema):
    detail: str


class ImportErrorsOut(Schema):
    detail: str
    errors: list[RowErrorOut]


def _refusals(call: Callable[[], T]) -> T | Status[dict]:
    """A service's refusal as an API answer: 403 for a forbidden action, 422 with the problems
    by field for invalid input (the 404 of an unreadable row passes through)."""
    try:
        return call()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "You may not do this.") from None
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Status(422, {"detail": "The input was refused.", "errors": errors})


def _out(user: Any, e: Enterprise, today: dt.date, certs: list[Certification]) -> dict[str, Any]:
    data = {
        f: getattr(e, f)
        for f in (
            "id",
            "uscc",
            "name",
            "registration_date",
            "industry_code",
            "industry_division",
            "strategic_emerging",
            "strategic_category",
            "growth_stage",
            "district",
            "address",
            "updated_at",
        )
    }
    rep = e.legal_representative
    data["legal_representative"] = rep if sees_personal_data(user, e) else registry.mask_name(rep)
    data["certifications_valid_today"] = [c.kind for c in certs if c.is_valid_on(today)]
    return data


@router.get("/", response=PageOut, summary="List the enterprises you may see")
def list_enterprises(
    request: HttpRequest,
    q: str = "",
    stage: str = "",
    cert: str = "",
    division: str = "",
    strategic: bool | None = None,
    sort: str = "name",
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    today = timezone.localdate()
    filters = selectors.ListFilters.from_params(
        {
            "q": q,
            "stage": stage,
            "cert": cert,
            "division": division,
            "sort": sort,
            "strategic": "" if strategic is None else str(strategic),
        }
    )
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    result = selectors.page(api_user(request), filters, page, today=today, per_page=page_size)
    return {
        "count": result.paginator.count,
        "page": result.number,
        "page_size": page_size,
        "results": [
            _out(api_user(request), e, today, e.valid_certifications) for e in result.object_list
        ],
    }


def _detail(user: Any, pk: int) -> dict[str, Any]:
    today = timezone.localdate()
    file = selectors.enterprise_file(user, pk)
    data = _out(user, file.enterprise, today, file.certifications)
    data["certifications"] = [
        {
            "id": c.pk,
            "kind": c.kind,
            "certificate_number": c.certificate_number,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "valid_today": c.is_valid_on(today),
        }
        for c in file.certifications
    ]
    for key, attr in (
        ("financial_years", "financial"),
        ("headcounts", "headcount"),
        ("ip", "ip"),
        ("teams", "team"),
    ):
        data[key] = [getattr(y, attr) for y in file.years if getattr(y, attr) is not None]
    return data


@router.get("/export", summary="Export the enterprises you may see as Excel", response={200: None})
def export(
    request: HttpRequest,
    q: str = "",
    stage: str = "",
    cert: str = "",
    division: str = "",
    strategic: bool | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    filters = selectors.ListFilters.from_params(
        {
            "q": q,
            "stage": stage,
            "cert": cert,
            "division": division,
            "strategic": "" if strategic is None else str(strategic),
        }
    )
    out = io.BytesIO()
    exporting.export_workbook(
        api_user(request), selectors.enterprises(api_user(request), filters, today=today), out
    )
    response = HttpResponse(out.getvalue(), content_type=exporting.CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{exporting.filename("enterprises", today)}"'
    )
    return response


@router.post(
    "/import",
    response={202: JobStartedOut, 403: DetailOut, 422: ImportErrorsOut},
    summary="Import an Excel workbook (all or nothing) in the background",
    description="Answers 202 with the job's id and URL at once; `GET /api/v1/jobs/{id}` tells "
    "its status and, when it has ended, `result`: rows, created, updated and sha256, or every "
    "problem in `errors` (row, column, message) with nothing imported.",
)
def import_file(request: HttpRequest, file: File[UploadedFile]) -> Any:
    if (file.size or 0) > MAX_IMPORT_BYTES:
        return Status(
            422,
            {
                "detail": "Nothing was imported.",
                "errors": [{"row": 0, "column": "", "message": "The file is larger than 50 MB."}],
            },
        )
    try:
        job = tasks.start_import(
            actor=api_user(request), data=file.read(), file_name=file.name or ""
        )
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    return jobs_api.started(job)


@router.get("/{int:pk}", response=EnterpriseDetailOut, summary="One enterprise with its data")
def get_enterprise(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(api_user(request), pk)


@router.post(
    "/",
    response={201: EnterpriseDetailOut, 422: ErrorsOut},
    summary="Register an enterprise (zone officer)",
)
def create(request: HttpRequest, payload: ProfileIn) -> Any:
    def call() -> Any:
        enterprise = services.create_enterprise(actor=api_user(request), data=payload.dict())
        return Status(201, _detail(api_user(request), enterprise.pk))

    return _refusals(call)


@router.patch(
    "/{int:pk}",
    response={200: EnterpriseDetailOut, 422: ErrorsOut},
    summary="Change some profile fields",
)
def update(request: HttpRequest, pk: int, payload: ProfilePatch) -> Any:
    def call() -> Any:
        services.update_enterprise(
            actor=api_user(request), enterprise_id=pk, changes=payload.dict(exclude_unset=True)
        )
        return Status(200, _detail(api_user(request), pk))

    return _refusals(call)
