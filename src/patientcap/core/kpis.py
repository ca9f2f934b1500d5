"""The zone's headline figures (`patientcap kpis --json`): each programme adds its own section.

A section is a function `(as_of: date) -> dict` registered with `@section("key")`; values are
JSON-ready (counts as ints, amounts as yuan strings, ratios as decimal strings), never floats.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import autodiscover_modules

from patientcap.accounts.models import Organisation, User
from patientcap.enterprises.models import Enterprise

Section = Callable[[dt.date], dict[str, Any]]
_SECTIONS: dict[str, Section] = {}


def section(key: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        _SECTIONS[key] = fn
        return fn

    return register


def collect(as_of: dt.date) -> dict[str, Any]:
    autodiscover_modules("kpis")  # imports each app's kpis.py, which registers its sections
    return {"as_of": as_of.isoformat(), **{k: fn(as_of) for k, fn in sorted(_SECTIONS.items())}}


@section("zone")
def zone(as_of: dt.date) -> dict[str, Any]:
    """The registry and the network: how many enterprises, organisations and active users."""
    return {
        "enterprises": Enterprise.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.filter(is_active=True, organisation__isnull=False).count(),
    }
