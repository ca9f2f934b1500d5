"""API v1 for valuations: list (current versions, or every version), one valuation with its
methods, compute without saving, and create (a revision names `previous_id`). Amounts are ints
named *_fen; inputs are given as in `services` (amounts as yuan text, ratios as decimal text).
Rows come from `accounts.scoping`, like the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.enterprises.models import Enterprise
from patientcap.valuations import selectors, services
from patientcap.valuations.models import Valuation

router = Router(tags=["valuations"])
MAX_PAGE_SIZE = 200


class MethodOut(Schema):
    method: str
    value_fen: int | None
    low_fen: int | None
    high_fen: int | None
    weight: Decimal | None
    not_computed: str
    inputs: dict[str, str]
    steps: list[str]


class ValuationOut(Schema):
    id: int
    enterprise_id: int
    version: int
    previous_id: int | None
    current: bool
    valued_on: dt.date
    stage: str
    purpose: str
    low_fen: int
    high_fen: int
    pre_money_fen: int
    investment_fen: int
    point_fen: int
    rationale: str
    spread_is_wide: bool
    proposed_price_fen: int | None
    price_position: str
    price_distance_fen: int
    state_money: bool
    assessed_value_fen: int | None
    assessment_date: dt.date | None
    relisted: bool
    state_outcome: str
    state_reasons: list[str]
    assessment_stale: bool
    needs_written_approval: bool
    created_by: str
    created_at: dt.datetime


class ValuationDetailOut(ValuationOut):
    inputs: dict[str, Any]
    methods: list[MethodOut]


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ValuationOut]


class ValuationIn(Schema):
    enterprise_id: int
    valued_on: dt.date
    stage: str
    purpose: str = "investment"
    inputs: dict[str, dict[str, Any]]
    rationale: str
    weights: dict[str, str] | None = None
    chosen: str | None = None
    investment: str | None = None
    proposed_price: str | None = None
    state_money: bool = False
    assessed_value: str | None = None
    assessment_date: dt.date | None = None
    relisted: bool = False
    previous_id: int | None = None


class ComputeIn(Schema):
    enterprise_id: int
    valued_on: dt.date
    stage: str
    inputs: dict[str, dict[str, Any]]
    rationale: str = "-"
    weights: dict[str, str] | None = None
    chosen: str | None = None
    proposed_price: str | None = None
    state_money: bool = False
    assessed_value: str | None = None
    assessment_date: dt.date | None = None
    relisted: bool = False


class ComputeOut(Schema):
    applicable: list[str]
    methods: list[MethodOut]
    low_fen: int
    high_fen: int
    point_fen: int
    spread_is_wide: bool
    price_position: str | None
    price_distance_fen: int | None
    state_outcome: str | None
    state_reasons: list[str]


class ErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _out(row: Valuation, *, current: bool) -> dict[str, Any]:
    data = {
        f: getattr(row, f)
        for f in (
            "id",
            "enterprise_id",
            "version",
            "previous_id",
            "valued_on",
            "stage",
            "purpose",
            "low_fen",
            "high_fen",
            "pre_money_fen",
            "investment_fen",
            "point_fen",
            "rationale",
            "spread_is_wide",
            "proposed_price_fen",
            "price_position",
            "price_distance_fen",
            "state_money",
            "assessed_value_fen",
            "assessment_date",
            "relisted",
            "state_outcome",
            "state_reasons",
            "assessment_stale",
            "needs_written_approval",
            "created_at",
        )
    }
    data["current"] = current
    data["created_by"] = row.created_by.username
    return data


def _detail(user: Any, row: Valuation) -> dict[str, Any]:
    data = _out(row, current=selectors.is_current(user, row))
    data["inputs"] = row.inputs
    data["methods"] = [
        {
            "method": r.method,
            "value_fen": r.value_fen,
            "low_fen": r.low_fen,
            "high_fen": r.high_fen,
            "weight": r.weight,
            "not_computed": r.not_computed,
            "inputs": r.inputs,
            "steps": r.steps,
        }
        for r in row.results.all()
    ]
    return data


def _may_value(user: Any) -> None:
    if not services.may_value(user):
        raise HttpError(403, "Only the zone officer values enterprises.")


def _invalid(exc: ValidationError) -> Status[dict]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(422, {"detail": "The input was refused.", "errors": errors})


@router.get("/", response=PageOut, summary="List the valuations you may see")
def list_valuations(
    request: HttpRequest,
    enterprise_id: int | None = None,
    all_versions: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    user = api_user(request)
    rows = scoping.readable(user, Valuation).select_related("created_by")
    if not all_versions:
        rows = selectors.current(rows)
    if enterprise_id is not None:
        rows = rows.filter(enterprise_id=enterprise_id)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    count = rows.count()
    chunk = list(rows[(page - 1) * page_size : page * page_size])
    revised = set(
        scoping.readable(user, Valuation)
        .filter(previous__in=chunk)
        .values_list("previous_id", flat=True)
    )
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "results": [_out(r, current=r.pk not in revised) for r in chunk],
    }


@router.get("/{int:valuation_id}", response=ValuationDetailOut, summary="One valuation")
def get_valuation(request: HttpRequest, valuation_id: int) -> dict[str, Any]:
    user = api_user(request)
    return _detail(user, scoping.get_readable(user, Valuation, pk=valuation_id))


@router.post(
    "/compute",
    response={200: ComputeOut, 403: ErrorsOut, 422: ErrorsOut},
    summary="Run the methods and reconcile them without saving",
)
def compute(request: HttpRequest, body: ComputeIn) -> Any:
    user = api_user(request)
    _may_value(user)
    scoping.get_readable(user, Enterprise, pk=body.enterprise_id)
    try:
        outcome = services.evaluate(
            stage=body.stage,
            as_of=body.valued_on,
            inputs=body.inputs,
            rationale=body.rationale,
            weights=body.weights,
            chosen=body.chosen,
            proposed_price=body.proposed_price,
            state_money=body.state_money,
            assessed_value=body.assessed_value,
            assessment_date=body.assessment_date,
            relisted=body.relisted,
        )
    except ValidationError as exc:
        return _invalid(exc)
    rec = outcome.reconciliation
    methods = [
        {
            "method": m.value,
            "value_fen": c.result.value_fen,
            "low_fen": c.low_fen,
            "high_fen": c.high_fen,
            "weight": outcome.weights.get(m),
            "not_computed": "",
            "inputs": c.result.inputs,
            "steps": list(c.result.steps),
        }
        for m, c in outcome.computation.computed.items()
    ] + [
        {
            "method": m.value,
            "value_fen": None,
            "low_fen": None,
            "high_fen": None,
            "weight": None,
            "not_computed": why,
            "inputs": {},
            "steps": [],
        }
        for m, why in outcome.computation.not_computed.items()
    ]
    return {
        "applicable": [m.value for m in outcome.computation.applicable],
        "methods": methods,
        "low_fen": rec.low_fen,
        "high_fen": rec.high_fen,
        "point_fen": rec.point_fen,
        "spread_is_wide": rec.spread_is_wide,
        "price_position": outcome.price.position.value if outcome.price else None,
        "price_distance_fen": outcome.price.distance_fen if outcome.price else None,
        "state_outcome": outcome.state.outcome.value if outcome.state else None,
        "state_reasons": list(outcome.state.reasons) if outcome.state else [],
    }


@router.post(
    "/",
    response={201: ValuationDetailOut, 403: ErrorsOut, 422: ErrorsOut},
    summary="Save a valuation (or a new version of one: previous_id)",
)
def create(request: HttpRequest, body: ValuationIn) -> Any:
    user = api_user(request)
    _may_value(user)
    try:
        row = services.save_valuation(actor=user, **body.dict())
    except PermissionDenied:
        raise HttpError(403, "Only the zone officer values enterprises.") from None
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _detail(user, row))
