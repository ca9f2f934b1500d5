"""Reads of saved valuations: the current version of each, and the latest one on a date.

`latest_valuation` is the seam other apps use (invest-first conversion and unrealised value):
it reads the table directly, not through a user's scope, because the caller has already decided
who may see the enterprise; pages and the API use `scoping.readable` instead.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from patientcap.accounts import scoping
from patientcap.domain.valuation import assessment_expires
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


def readable_current(user: Any) -> "QuerySet[Valuation]":
    """The current version of every valuation `user` may read, newest first."""
    return current(scoping.readable(user, Valuation)).select_related("enterprise", "created_by")


def history(user: Any, enterprise_id: int) -> "QuerySet[Valuation]":
    """Every version of every valuation of one enterprise the user may read, newest first."""
    return (
        scoping.readable(user, Valuation)
        .filter(enterprise_id=enterprise_id)
        .select_related("created_by", "previous")
        .prefetch_related("written_approvals")
    )


def versions(user: Any, valuation: Valuation) -> list[Valuation]:
    """The chain of versions `valuation` belongs to, oldest first (all of one enterprise, so
    readable together)."""
    rows = scoping.readable(user, Valuation).select_related("created_by")
    chain = [valuation]
    node = valuation
    while node.previous_id is not None:
        node = rows.get(pk=node.previous_id)
        chain.insert(0, node)
    node = valuation
    while (nxt := rows.filter(previous=node).first()) is not None:
        chain.append(nxt)
        node = nxt
    return chain


def is_current(user: Any, valuation: Valuation) -> bool:
    """Whether no later version revises `valuation`."""
    return not scoping.readable(user, Valuation).filter(previous=valuation).exists()


def stale_assessments(user: Any, on: dt.date) -> "QuerySet[Valuation]":
    """Current state-money valuations whose assessment is more than a year old on `on`."""
    rows = readable_current(user).filter(state_money=True, assessment_date__lte=on)
    # 12号令: valid for one year from the base date; a year back and one day more is stale.
    return rows.filter(
        pk__in=[
            pk
            for pk, base in rows.values_list("pk", "assessment_date")
            if base is not None and on > assessment_expires(base)
        ]
    )


def chart(valuation_results: Any, *, low: int, high: int, point: int, price: int | None) -> dict:
    """The football-field data: each computed method's low/high/value, the range, point, price."""
    rows = [
        {
            "method": str(r.get_method_display()),
            "low": r.low_fen if r.low_fen is not None else r.value_fen,
            "high": r.high_fen if r.high_fen is not None else r.value_fen,
            "value": r.value_fen,
        }
        for r in valuation_results
        if r.value_fen is not None
    ]
    return {"methods": rows, "low": low, "high": high, "point": point, "price": price}
