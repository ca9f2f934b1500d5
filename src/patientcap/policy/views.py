"""Pages: the parameters in force on a date, one parameter's history, a year of working days.
Policy is public to every signed-in participant."""

import datetime as dt
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap.core import clock
from patientcap.domain.money import format_yuan
from patientcap.domain.policy import InForce, Unit, UnknownParameter
from patientcap.policy import selectors

UNIT_LABELS = {
    Unit.RATIO: gettext_lazy("ratio"),
    Unit.PERCENT: gettext_lazy("percent"),
    Unit.RATE_PER_YEAR: gettext_lazy("rate per year"),
    Unit.BASIS_POINTS: gettext_lazy("basis points"),
    Unit.POINTS: gettext_lazy("points"),
    Unit.YUAN: gettext_lazy("yuan"),
    Unit.FEN: gettext_lazy("fen"),
    Unit.WORKING_DAYS: gettext_lazy("working days"),
    Unit.DAYS: gettext_lazy("days"),
    Unit.MONTHS: gettext_lazy("months"),
    Unit.YEARS: gettext_lazy("years"),
    Unit.COUNT: gettext_lazy("count"),
    Unit.BOOLEAN: gettext_lazy("yes / no"),
    Unit.TEXT: gettext_lazy("text"),
}


def _shown(f: InForce) -> dict:
    """A value as people read it: ¥ with separators, 100%, yes/no."""
    if f.unit is Unit.YUAN and isinstance(f.value, int):
        value = format_yuan(f.value)
    elif f.unit is Unit.PERCENT:
        value = f"{f.value}%"
    elif isinstance(f.value, bool):
        value = _("yes") if f.value else _("no")
    else:
        value = f.display
    return {"f": f, "value": value, "unit": UNIT_LABELS[f.unit]}


def _date_param(request: HttpRequest, key: str) -> tuple[dt.date, str]:
    """The ?key=YYYY-MM-DD date, or today with an error message if it is not a date."""
    text = request.GET.get(key, "").strip()
    if not text:
        return clock.today(), ""
    try:
        return dt.date.fromisoformat(text), ""
    except ValueError:
        return clock.today(), _("“%(text)s” is not a date; write it as YYYY-MM-DD.") % {
            "text": text
        }


@login_required
def parameters(request: HttpRequest) -> HttpResponse:
    on, error = _date_param(request, "on")
    view = selectors.parameters_on(on)
    context = {
        "view": view,
        "rows": [_shown(f) for f in view.in_force],
        "error": error,
    }
    return render(request, "policy/parameters.html", context, status=400 if error else 200)


@login_required
def parameter(request: HttpRequest, name: str) -> HttpResponse:
    try:
        p = selectors.parameter(name)
    except UnknownParameter:
        raise Http404(_("No policy parameter is called %(name)s.") % {"name": name}) from None
    context = {
        "parameter": p,
        "unit": UNIT_LABELS[p.unit],
        "file": Path(p.source).name,
        "rows": [_shown(f) for f in reversed(p.history())],  # newest first
    }
    return render(request, "policy/parameter.html", context)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("year", "").strip()
    error = ""
    year = clock.today().year
    if text:
        if text.isdigit() and 1 <= int(text) <= 9998:
            year = int(text)
        else:
            error = _("“%(text)s” is not a year.") % {"text": text}
    context = {"view": selectors.calendar_year(year), "error": error}
    return render(request, "policy/calendar.html", context, status=400 if error else 200)
