"""The event store's reads by enterprise id, for the replay and the seam selectors.

These answer for any enterprise: their callers have already decided that the enterprise may be
read (pages and the API fetch it through `accounts.scoping` first; the other apps' services call
the seam inside a maker-checker execution about an enterprise they scoped). Pages never list rows
from here.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, Sum

from patientcap.equity.models import (
    AngelHolding,
    AngelInvestment,
    CapTableEvent,
    Round,
    Snapshot,
)


def events(enterprise_id: int, on: dt.date) -> list[CapTableEvent]:
    """The enterprise's events up to `on`, in replay order."""
    rows = CapTableEvent.objects.filter(enterprise_id=enterprise_id, on__lte=on)
    return list(rows.order_by("on", "sequence"))


def snapshot(enterprise_id: int) -> Snapshot | None:
    """The table after the enterprise's latest event."""
    return Snapshot.objects.filter(enterprise_id=enterprise_id).select_related("event").first()


def latest_round(enterprise_id: int, on: dt.date) -> Round | None:
    rows = Round.objects.filter(enterprise_id=enterprise_id, on__lte=on)
    return rows.order_by("-on", "-event__sequence").first()


def rounds_between(enterprise_id: int, after: dt.date, on: dt.date) -> int:
    """Rounds dated after `after`, up to `on`."""
    return Round.objects.filter(enterprise_id=enterprise_id, on__gt=after, on__lte=on).count()


def angel_money(enterprise_id: int, on: dt.date) -> int:
    """The fund's investments in the enterprise by `on` whose holding had not exited by then."""
    active = Q(holding__opened_on__lte=on) & (
        Q(holding__exited_on__isnull=True) | Q(holding__exited_on__gt=on)
    )
    rows = AngelInvestment.objects.filter(active, holding__enterprise_id=enterprise_id, on__lte=on)
    return rows.aggregate(s=Sum("amount_fen"))["s"] or 0


def investment_count(holdings: Iterable[AngelHolding], on: dt.date) -> int:
    return AngelInvestment.objects.filter(holding__in=list(holdings), on__lte=on).count()


def fund_holdings(on: dt.date) -> list[AngelHolding]:
    """Every holding of the fund opened by `on` (for the fund's own report)."""
    return list(AngelHolding.objects.filter(opened_on__lte=on).select_related("enterprise"))


def fund_enterprises() -> list[int]:
    """The enterprises the fund holds (or held) shares in."""
    return list(AngelHolding.objects.values_list("enterprise_id", flat=True).distinct())
