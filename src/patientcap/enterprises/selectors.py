"""Reading the registry: the filtered, sorted list a user may see, and one enterprise's file.

Every queryset starts from `scoping.readable`. The list stays fast at 10,000 enterprises: the
searched, filtered and sorted columns are indexed, a page's certifications come in one query,
and the certificate filter is an EXISTS on an indexed table.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from patientcap.accounts import scoping
from patientcap.domain import registry
from patientcap.enterprises.models import (
    YEARLY,
    Certification,
    CertificationKind,
    Enterprise,
    EnterpriseAccessGrant,
    FinancialYear,
    GrowthStage,
    Headcount,
    IntellectualProperty,
    ServiceAssignment,
    Team,
)

PER_PAGE = 50
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "registered": ("registration_date", "id"),
    "-registered": ("-registration_date", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "uscc": ("uscc",),
    "-uscc": ("-uscc",),
}


@dataclass(frozen=True)
class ListFilters:
    q: str = ""
    stage: str = ""
    cert: str = ""  # a certification kind valid on the day of the query
    division: str = ""  # two-digit GB/T 4754 division
    strategic: bool | None = None
    sort: str = "name"

    @classmethod
    def from_params(cls, params: Any) -> "ListFilters":
        """From a query string; unknown values are ignored rather than refused (it is a search)."""
        strategic = {
            "1": True,
            "yes": True,
            "true": True,
            "0": False,
            "no": False,
            "false": False,
        }.get(str(params.get("strategic", "")).lower())
        stage = params.get("stage", "")
        cert = params.get("cert", "")
        division = params.get("division", "")
        sort = params.get("sort", "name")
        return cls(
            q=str(params.get("q", "")).strip()[:100],
            stage=stage if stage in GrowthStage.values else "",
            cert=cert if cert in CertificationKind.values else "",
            division=division if division in registry.DIVISIONS else "",
            strategic=strategic,
            sort=sort if sort in SORTS else "name",
        )


def enterprises(user: Any, filters: ListFilters, *, today: dt.date) -> "QuerySet[Enterprise]":
    qs = scoping.readable(user, Enterprise)
    if filters.q:
        code = filters.q.upper()
        qs = qs.filter(Q(name__icontains=filters.q) | Q(uscc__startswith=code))
    if filters.stage:
        qs = qs.filter(growth_stage=filters.stage)
    if filters.division:
        qs = qs.filter(industry_division=filters.division)
    if filters.strategic is not None:
        qs = qs.filter(strategic_emerging=filters.strategic)
    if filters.cert:
        qs = qs.filter(
            Exists(
                Certification.objects.filter(
                    enterprise=OuterRef("pk"),
                    kind=filters.cert,
                    valid_from__lte=today,
                    valid_to__gte=today,
                )
            )
        )
    return qs.order_by(*SORTS[filters.sort])


def valid_certifications(user: Any, today: dt.date) -> Prefetch:
    """Prefetch of the certifications valid on `today`, as `enterprise.valid_certifications`."""
    return Prefetch(
        "certifications",
        queryset=scoping.readable(user, Certification)
        .filter(valid_from__lte=today, valid_to__gte=today)
        .order_by("kind"),
        to_attr="valid_certifications",
    )


def page(
    user: Any, filters: ListFilters, number: Any, *, today: dt.date, per_page: int = PER_PAGE
) -> Page:
    qs = (
        enterprises(user, filters, today=today)
        .only(
            "id",
            "uscc",
            "name",
            "registration_date",
            "industry_code",
            "growth_stage",
            "strategic_emerging",
            "updated_at",
        )
        .prefetch_related(valid_certifications(user, today))
    )
    return Paginator(qs, per_page).get_page(number)


@dataclass
class YearRow:
    year: int
    financial: FinancialYear | None = None
    headcount: Headcount | None = None
    ip: IntellectualProperty | None = None
    team: Team | None = None


@dataclass
class EnterpriseFile:
    enterprise: Enterprise
    certifications: list[Certification]
    years: list[YearRow]
    grants: list[EnterpriseAccessGrant] = field(default_factory=list)
    assignments: list[ServiceAssignment] = field(default_factory=list)


def enterprise_file(user: Any, pk: int) -> EnterpriseFile:
    """Everything the user may see of one enterprise (404 when it is not theirs to see)."""
    enterprise = scoping.get_readable(user, Enterprise, pk=pk)
    years: dict[int, YearRow] = {}
    for attr, model in YEARLY.items():
        for row in scoping.readable(user, model).filter(enterprise=enterprise):
            setattr(years.setdefault(row.year, YearRow(row.year)), attr, row)
    return EnterpriseFile(
        enterprise=enterprise,
        certifications=list(
            scoping.readable(user, Certification)
            .filter(enterprise=enterprise)
            .order_by("kind", "-valid_to")
        ),
        years=[years[y] for y in sorted(years, reverse=True)],
        grants=list(
            scoping.readable(user, EnterpriseAccessGrant)
            .filter(enterprise=enterprise)
            .select_related("organisation", "granted_by")
        ),
        assignments=list(
            scoping.readable(user, ServiceAssignment)
            .filter(enterprise=enterprise)
            .select_related("agent", "assigned_by")
        ),
    )


def year_values(user: Any, pk: int, year: int) -> YearRow:
    """One year's stored rows of one enterprise (None for kinds not reported)."""
    row = YearRow(year)
    for attr, model in YEARLY.items():
        setattr(
            row, attr, scoping.readable(user, model).filter(enterprise_id=pk, year=year).first()
        )
    return row
