"""Policy API: parameters in force on a date, one parameter's history, working-day arithmetic.

Readable by every authenticated participant (the global API auth). Yuan values are given as a
string with two decimals and as `value_fen`; other values as their exact text, never floats.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from patientcap.core import clock
from patientcap.domain.calendar import CalendarNotCovered
from patientcap.domain.policy import InForce, NotInForce, Unit, UnknownParameter
from patientcap.policy import selectors
from patientcap.policy.calendar import working_calendar

router = Router(tags=["policy"])


class ValueOut(Schema):
    name: str
    unit: str
    value: str = Field(description="Exact text: '1', '0.8', '20000000.00' (yuan), 'true'")
    value_fen: int | None = Field(None, description="For yuan and fen units: integer fen")
    effective_from: dt.date
    until: dt.date | None = Field(None, description="The next value's start (exclusive)")
    reference: str
    note: str
    version: str = Field(description="Record this with any decision that used the value")


class ParameterOut(Schema):
    name: str
    unit: str
    description: str
    file: str
    history: list[ValueOut]


class ParametersOut(Schema):
    on: dt.date
    digest: str
    parameters: list[ValueOut]


class DeadlineOut(Schema):
    start: dt.date
    n: int
    date: dt.date = Field(description="The n-th working day after start (start not counted)")


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int = Field(description="Working days d with start < d <= end")


def _value(f: InForce) -> dict[str, Any]:
    return {
        "name": f.name,
        "unit": f.unit.value,
        "value": f.display,
        "value_fen": f.value if f.unit in {Unit.YUAN, Unit.FEN} else None,
        "effective_from": f.effective_from,
        "until": f.until,
        "reference": f.reference,
        "note": f.note,
        "version": f.version,
    }


@router.get("/parameters", response=ParametersOut, summary="Parameters in force on a date")
def parameters(request: HttpRequest, on: dt.date | None = None) -> Any:
    """Every parameter with a value on `on` (default: today in Asia/Shanghai)."""
    view = selectors.parameters_on(on or clock.today())
    return {"on": view.on, "digest": view.digest, "parameters": [_value(f) for f in view.in_force]}


@router.get("/parameters/{name}", response=ParameterOut, summary="A parameter and its history")
def parameter(request: HttpRequest, name: str, on: dt.date | None = None) -> Any:
    try:
        p = selectors.parameter(name)
    except UnknownParameter as exc:
        raise HttpError(404, str(exc)) from None
    history = p.history()
    if on is not None:
        try:
            history = [p.value_at(on)]
        except NotInForce as exc:
            raise HttpError(404, str(exc)) from None
    return {
        "name": p.name,
        "unit": p.unit.value,
        "description": p.description,
        "file": p.source.rsplit("/", 1)[-1],
        "history": [_value(f) for f in history],
    }


@router.get(
    "/calendar/working-days", response=DeadlineOut, summary="The n-th working day after a date"
)
def working_days_after(request: HttpRequest, start: dt.date, n: int = Query(..., ge=0)) -> Any:
    try:
        return {"start": start, "n": n, "date": working_calendar().add_working_days(start, n)}
    except CalendarNotCovered as exc:
        raise HttpError(422, str(exc)) from None


@router.get(
    "/calendar/working-days/between",
    response=BetweenOut,
    summary="Working days elapsed from one date to another",
)
def working_days_between(request: HttpRequest, start: dt.date, end: dt.date) -> Any:
    try:
        count = working_calendar().working_days_between(start, end)
    except CalendarNotCovered as exc:
        raise HttpError(422, str(exc)) from None
    return {"start": start, "end": end, "working_days": count}
