"""The event store's reads by enterprise id, for the replay and the seam selectors.

These answer for any enterprise: their callers have already decided that the enterprise may be
read (pages and the API fetch it through `accounts.scoping` first; the other apps' services call
the seam inside a maker-checker execution about an enterprise they scoped). Pages never list rows
from here.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Q, Sum

from patientcap.equity.models import (
    AngelHolding,
    AngelInvestment,
    CapTableEvent,
    HoldingReview,
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


class HoldingReads:
    """What the lines of many holdings need on `on`, read in four queries: money invested and
    the latest review note by holding; rounds and the latest cap-table snapshot by enterprise."""

    def __init__(self, holdings: Sequence[AngelHolding], on: dt.date) -> None:
        ids = [h.pk for h in holdings]
        firms = {h.enterprise_id for h in holdings}
        invested = AngelInvestment.objects.filter(holding_id__in=ids, on__lte=on)
        self.invested_fen: dict[int, int] = dict(
            invested.values("holding_id")
            .annotate(s=Sum("amount_fen"))
            .values_list("holding_id", "s")
        )
        self.last_note: dict[int, str] = {}
        for holding_id, note in HoldingReview.objects.filter(
            holding_id__in=ids, on__lte=on
        ).values_list("holding_id", "note"):  # newest first (the model's ordering)
            self.last_note.setdefault(holding_id, note)
        self.rounds: dict[int, list[tuple[dt.date, Decimal]]] = {}  # by enterprise, oldest first
        for firm, day, price in (
            Round.objects.filter(enterprise_id__in=firms, on__lte=on)
            .order_by("on", "event__sequence")
            .values_list("enterprise_id", "on", "price_per_share")
        ):
            self.rounds.setdefault(firm, []).append((day, price))
        self.snapshots: dict[int, Snapshot] = {
            s.enterprise_id: s
            for s in Snapshot.objects.filter(enterprise_id__in=firms).select_related("event")
        }

    def latest_price(self, enterprise_id: int) -> Decimal | None:
        rounds = self.rounds.get(enterprise_id)
        return rounds[-1][1] if rounds else None

    def rounds_after(self, enterprise_id: int, after: dt.date) -> int:
        return sum(1 for day, _ in self.rounds.get(enterprise_id, ()) if day > after)
