"""Checking registry input before it is stored: the domain rules, in the reader's language.

Each `clean_*` function takes raw typed values (as a form, the API or an import row gives them),
returns the values to store and a dict of problems by field (every problem, not just the first),
so pages, the API and the Excel import all refuse the same things with the same words.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from patientcap.domain import registry, uscc
from patientcap.domain.messages import Invalid, Message, Problem
from patientcap.enterprises.models import (
    CertificationKind,
    FinancialYear,
    GrowthStage,
    IntellectualProperty,
    StrategicCategory,
)

Errors = dict[str, list[str]]

PROFILE_FIELDS = (
    "uscc", "name", "registration_date", "industry_code", "strategic_emerging",
    "strategic_category", "growth_stage", "district", "address", "legal_representative",
)  # fmt: skip
REQUIRED_PROFILE_FIELDS = ("uscc", "name", "registration_date", "industry_code", "growth_stage")
_TEXT_LIMITS = {"name": 200, "district": 100, "address": 200, "legal_representative": 100}

HEADCOUNT_FIELDS = ("total", "tech_staff", "rd_staff")
TEAM_FIELDS = ("founders_max_industry_years", "founders_avg_industry_years", "key_staff_turnover")
FINANCIAL_FIELDS = (*FinancialYear.AMOUNT_FIELDS, "top_customer_share")
IP_FIELDS = IntellectualProperty.COUNT_FIELDS


def explain(message: Message) -> str:
    """A domain message in the active language."""
    return gettext(message.template) % message.params


def _add(errors: Errors, problems: list[Problem]) -> None:
    for p in problems:
        errors.setdefault(p.field, []).append(explain(p.message))


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError({k: [ValidationError(m) for m in v] for k, v in errors.items()})


def uscc_problem(code: str) -> str | None:
    refusal = uscc.refusal(code)
    return explain(refusal) if refusal else None


def clean_profile(
    data: Mapping[str, Any], *, as_of: dt.date, current: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], Errors]:
    """Profile values ready to store. For an update, `current` holds the stored profile and
    only the fields in `data` are checked (a change of name need not repeat the rest)."""
    partial = current is not None
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    errors: Errors = {}
    out: dict[str, Any] = {}
    for name in REQUIRED_PROFILE_FIELDS:
        if (name in data or not partial) and data.get(name) in (None, ""):
            errors.setdefault(name, []).append(gettext("This field is required."))
    for name, limit in _TEXT_LIMITS.items():
        if name in data and data[name] is not None:
            value = str(data[name]).strip()
            if len(value) > limit:
                errors.setdefault(name, []).append(
                    gettext("Longer than %(max)d characters.") % {"max": limit}
                )
            out[name] = value
    if data.get("uscc"):
        code = uscc.normalise(str(data["uscc"]))
        if problem := uscc_problem(code):
            errors.setdefault("uscc", []).append(problem)
        out["uscc"] = code
    if isinstance(data.get("registration_date"), dt.date):
        _add(errors, registry.registration_date_problems(data["registration_date"], as_of=as_of))
        out["registration_date"] = data["registration_date"]
    if data.get("industry_code"):
        try:
            out["industry_code"] = registry.industry_code(str(data["industry_code"]))
        except Invalid as exc:
            errors.setdefault("industry_code", []).append(explain(exc.message))
    if data.get("growth_stage"):
        if data["growth_stage"] in GrowthStage.values:
            out["growth_stage"] = data["growth_stage"]
        else:
            errors.setdefault("growth_stage", []).append(
                gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(GrowthStage.values)}
            )
    if "strategic_emerging" in data:
        out["strategic_emerging"] = bool(data["strategic_emerging"])
    if "strategic_category" in data:
        category = data["strategic_category"] or ""
        if category and category not in StrategicCategory.values:
            errors.setdefault("strategic_category", []).append(
                gettext("Choose one of: %(choices)s.")
                % {"choices": ", ".join(StrategicCategory.values)}
            )
        out["strategic_category"] = category
    merged = {**(current or {}), **out}
    if merged.get("strategic_category") and not merged.get("strategic_emerging"):
        errors.setdefault("strategic_category", []).append(
            gettext("A category is only given to a strategic emerging industry enterprise.")
        )
    return out, errors


def clean_financial(values: Mapping[str, int | Decimal | None]) -> Errors:
    errors: Errors = {}
    _add(errors, registry.financial_problems(dict(values)))
    return errors


def clean_headcount(values: Mapping[str, int | None]) -> Errors:
    errors: Errors = {}
    _add(
        errors,
        registry.headcount_problems(
            total=values.get("total"),
            tech_staff=values.get("tech_staff"),
            rd_staff=values.get("rd_staff"),
        ),
    )
    return errors


def clean_ip(values: Mapping[str, int | None]) -> Errors:
    errors: Errors = {}
    _add(errors, registry.count_problems({k: values.get(k) for k in IP_FIELDS}))
    return errors


def clean_team(values: Mapping[str, Any]) -> Errors:
    errors: Errors = {}
    _add(errors, registry.team_problems(**{k: values.get(k) for k in TEAM_FIELDS}))
    return errors


def clean_year(year: Any, *, as_of: dt.date) -> Errors:
    errors: Errors = {}
    if not isinstance(year, int):
        errors["year"] = [gettext("This field is required.")]
    else:
        _add(errors, registry.year_problems(year, as_of=as_of))
    return errors


def clean_certification(
    *, kind: str, valid_from: dt.date | None, valid_to: dt.date | None
) -> Errors:
    errors: Errors = {}
    if kind not in CertificationKind.values:
        errors["kind"] = [
            gettext("Choose one of: %(choices)s.")
            % {"choices": ", ".join(CertificationKind.values)}
        ]
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is None:
            errors.setdefault(name, []).append(gettext("This field is required."))
    if valid_from and valid_to:
        _add(errors, registry.certification_problems(valid_from=valid_from, valid_to=valid_to))
    return errors
