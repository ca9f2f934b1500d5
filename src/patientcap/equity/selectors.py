"""Reads of equity: an enterprise's cap table at a date (replayed from its events), holdings,
prices, waterfall payouts, and the angel fund's portfolio.

Scoping: these functions take ids and answer for any enterprise; pages and the API first fetch
the enterprise or holding through `accounts.scoping` and only then call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from patientcap.domain.captable import CapTable, Ownership, ownership
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.waterfall import Waterfall, waterfall
from patientcap.equity import replay, store
from patientcap.equity.models import (
    AngelHolding,
    CapTableEvent,
    EventKind,
    HoldingStatus,
    Snapshot,
)


class NoCapTable(Invalid):
    """The enterprise has no cap table (yet) at that date."""


def history(enterprise_id: int, on: dt.date) -> list[tuple[CapTableEvent, replay.State]]:
    """Every event up to `on` with the state after it."""
    events = store.events(enterprise_id, on)
    states = replay.replay((e.kind, e.payload) for e in events)
    return list(zip(events, states, strict=True))


def state(enterprise_id: int, on: dt.date) -> replay.State:
    """The state on `on`: the latest snapshot when no event is dated after `on` (events are
    recorded in date order), else the replay of the events up to `on`."""
    last = _state(enterprise_id, on, store.snapshot(enterprise_id))
    if last is None:
        raise NoCapTable(
            gettext_noop("Enterprise %(id)s has no cap table on %(on)s."),
            {"id": enterprise_id, "on": on.isoformat()},
        )
    return last


def _state(enterprise_id: int, on: dt.date, snap: Snapshot | None) -> replay.State | None:
    if snap is not None and snap.event.on <= on:
        return replay.snapshot_state(snap.table)
    last = None
    for last in replay.replay((e.kind, e.payload) for e in store.events(enterprise_id, on)):  # noqa: B007
        pass
    return last


def cap_table(enterprise_id: int, on: dt.date) -> CapTable:
    """The table on `on`, rebuilt by replaying the events up to that date."""
    return state(enterprise_id, on).table


def holding_shares(enterprise_id: int, holder: str, on: dt.date) -> int:
    """Shares (of every class, not as converted) `holder` holds on `on`; 0 without a table."""
    try:
        table = cap_table(enterprise_id, on)
    except NoCapTable:
        return 0
    return _shares(table, holder)


def _shares(table: CapTable, holder: str) -> int:
    return sum(h.shares for h in table.holdings if h.holder == holder)


def latest_price_per_share(enterprise_id: int, on: dt.date) -> Decimal | None:
    """The price of the latest priced round on or before `on` (fen per share), if any."""
    rnd = store.latest_round(enterprise_id, on)
    return rnd.price_per_share if rnd else None


def payout_table(enterprise_id: int, exit_fen: int, on: dt.date) -> Waterfall:
    return waterfall(cap_table(enterprise_id, on), exit_fen)


def waterfall_payout(enterprise_id: int, holder: str, exit_fen: int, on: dt.date) -> int:
    """What `holder` would receive (fen) if the company were sold for `exit_fen` on `on`."""
    return payout_table(enterprise_id, exit_fen, on).payouts.get(holder, 0)


def angel_investment_fen(enterprise_id: int, on: dt.date) -> int:
    """Money the angel fund has invested in the enterprise by `on` and not exited."""
    return store.angel_money(enterprise_id, on)


@dataclass(frozen=True)
class Row:
    holder: str
    share_class: str
    shares: int
    as_converted: int
    invested_fen: int


@dataclass(frozen=True)
class TableView:
    """What the cap-table page shows: holdings by class, fully diluted ownership, the pool."""

    table: CapTable
    rows: list[Row]
    ownership: Ownership
    exited: bool


def table_view(enterprise_id: int, on: dt.date) -> TableView:
    st = state(enterprise_id, on)
    table = st.table
    rows = [
        Row(h.holder, h.share_class, h.shares, table.as_converted(h), h.invested_fen)
        for h in table.holdings
    ]
    return TableView(table, rows, ownership(table), st.exited)


def ownership_over_rounds(enterprise_id: int, on: dt.date) -> dict:
    """Fully diluted ownership after the opening and after every round or conversion: chart
    data {"labels": [...], "series": {holder: [percent strings]}} (holders in first appearance
    order, option pool last)."""
    labels: list[str] = []
    points: list[dict[str, Decimal]] = []
    for event, st in history(enterprise_id, on):
        if event.kind in (EventKind.INSTRUMENT, EventKind.EXIT):
            continue
        kind = EventKind(event.kind)
        name = event.payload["series"]["name"] if kind == EventKind.ROUND else str(kind.label)
        labels.append(f"{event.on.isoformat()} {name}")
        points.append(ownership(st.table, places=6).fully_diluted)
    holders: list[str] = []
    for p in points:
        holders.extend(h for h in p if h not in holders)
    series = {
        h: [str((p.get(h, Decimal(0)) * 100).quantize(Decimal("0.01"))) for p in points]
        for h in holders
    }
    return {"labels": labels, "series": series}


# --- the angel fund ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HoldingLine:
    holding: AngelHolding
    invested_fen: int
    shares: int
    latest_price: Decimal | None
    value_fen: int  # shares at the latest round price (unrealised), or returned once exited
    multiple: Decimal | None
    rounds_since: int
    last_review: str


def holding_line(holding: AngelHolding, on: dt.date) -> HoldingLine:
    return holding_lines([holding], on)[0]


def holding_lines(holdings: Sequence[AngelHolding], on: dt.date) -> list[HoldingLine]:
    """Each holding's line on `on`, in a fixed number of queries however many holdings there
    are (the fund's page and its home card read every holding)."""
    reads = store.HoldingReads(holdings, on)
    tables: dict[int, CapTable | None] = {}  # once per enterprise: holdings may share one
    for firm in {h.enterprise_id for h in holdings}:
        state = _state(firm, on, reads.snapshots.get(firm))
        tables[firm] = None if state is None else state.table
    lines = []
    for h in holdings:
        invested = reads.invested_fen.get(h.pk, 0)
        table = tables[h.enterprise_id]
        shares = 0 if table is None else _shares(table, h.holder)
        price = reads.latest_price(h.enterprise_id)
        if h.status == HoldingStatus.EXITED and h.exited_on and h.exited_on <= on:
            value = h.returned_fen
        elif price is not None and shares:
            value = int((price * shares).to_integral_value())
        else:
            value = invested  # a SAFE or note not yet converted: held at cost
        multiple = (Decimal(value) / invested).quantize(Decimal("0.01")) if invested else None
        lines.append(
            HoldingLine(
                h,
                invested,
                shares,
                price,
                value,
                multiple,
                reads.rounds_after(h.enterprise_id, h.opened_on),
                reads.last_note.get(h.pk, ""),
            )
        )
    return lines


@dataclass(frozen=True)
class FundFigures:
    investments: int
    invested_fen: int
    holdings_active: int
    exited: int
    returned_fen: int
    unrealised_fen: int
    reviews_due: int

    @property
    def tvpi(self) -> Decimal | None:
        if not self.invested_fen:
            return None
        total = Decimal(self.returned_fen + self.unrealised_fen)
        return (total / self.invested_fen).quantize(Decimal("0.01"))

    @property
    def dpi(self) -> Decimal | None:
        if not self.invested_fen:
            return None
        return (Decimal(self.returned_fen) / self.invested_fen).quantize(Decimal("0.01"))


def fund_figures(lines: Sequence[HoldingLine], on: dt.date) -> FundFigures:
    """The fund's totals from its holdings' lines on `on` (`holding_lines`)."""
    lines = [line for line in lines if line.holding.opened_on <= on]
    angel = [line for line in lines if line.holding.kind == "angel"]
    exited = [
        line
        for line in angel
        if line.holding.exited_on is not None and line.holding.exited_on <= on
    ]
    active = [line for line in angel if line not in exited]
    return FundFigures(
        investments=store.investment_count((line.holding for line in angel), on),
        invested_fen=sum(line.invested_fen for line in angel),
        holdings_active=len(active),
        exited=len(exited),
        returned_fen=sum(line.holding.returned_fen for line in exited),
        unrealised_fen=sum(line.value_fen for line in active),
        reviews_due=sum(1 for line in lines if line.holding.review_due_since is not None),
    )
