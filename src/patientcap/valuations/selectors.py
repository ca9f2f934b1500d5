"""Reads of saved valuations: the current version of each, and the latest one on a date.

`latest_valuation` is the seam other apps use (invest-first conversion and unrealised value):
it reads the table directly, not through a user's scope, because the caller has already decided
who may see the enterprise; pages and the API use `scoping.readable` instead.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from patientcap.valuations.models import Valuation


def current(queryset: "QuerySet[Valuation]") -> "QuerySet[Valuation]":
    """Only the versions that no later version revises."""
    return queryset.filter(revision__isnull=True)


def latest_valuation(enterprise_id: int, on: dt.date) -> Valuation | None:
    """The latest saved valuation of the enterprise dated on or before `on`, or None.

    A version revised by a later one dated on or before `on` does not count; `.point_fen` is the
    post-money value in fen and `.valued_on` its date.
    """
    revised = Valuation.objects.filter(previous=OuterRef("pk"), valued_on__lte=on)
    return (
        Valuation.objects.filter(enterprise_id=enterprise_id, valued_on__lte=on)
        .exclude(Exists(revised))
        .order_by("-valued_on", "-version", "-id")
        .first()
    )
