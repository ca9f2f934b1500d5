"""Cap-table events as JSON payloads, and their replay through `domain.captable`.

An event's payload holds everything the engine needs to apply it again (money int fen, prices,
ratios and multiples as decimal strings, dates ISO), so the table at any date is the fold of the
enterprise's events up to that date. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from patientcap.domain.captable import (
    COMMON,
    AntiDilution,
    CapTable,
    CapTableError,
    Convertible,
    ConvertibleNote,
    DayCount,
    Holding,
    InvestFirst,
    Investment,
    OptionPool,
    Participation,
    PostMoneySafe,
    PreMoneySafe,
    RoundResult,
    ShareClass,
    Variant,
    convert_outside_round,
    priced_round,
    transfer,
)
from patientcap.domain.messages import gettext_noop

Payload = dict[str, Any]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# --- share classes -----------------------------------------------------------------------------
def class_payload(cls: ShareClass) -> Payload:
    return {
        "name": cls.name,
        "preferred": cls.preferred,
        "seniority": cls.seniority,
        "preference_multiple": str(cls.preference_multiple),
        "participation": cls.participation.value,
        "cap_multiple": _dec(cls.cap_multiple),
        "anti_dilution": cls.anti_dilution.value,
    }


def class_from(p: Payload) -> ShareClass:
    return ShareClass(
        p["name"],
        preferred=p["preferred"],
        seniority=p["seniority"],
        preference_multiple=Decimal(p["preference_multiple"]),
        participation=Participation(p["participation"]),
        cap_multiple=_undec(p["cap_multiple"]),
        anti_dilution=AntiDilution(p["anti_dilution"]),
    )


# --- instruments -------------------------------------------------------------------------------
def instrument_payload(c: Convertible) -> Payload:
    common = {"holder": c.holder, "discount": str(c.discount)}
    if isinstance(c, InvestFirst):
        return common | {
            "type": "invest_first",
            "amount_fen": c.amount_fen,
            "variant": c.variant.value,
            "agreed_valuation_fen": c.agreed_valuation_fen,
            "fixed_fraction": _dec(c.fixed_fraction),
        }
    if isinstance(c, ConvertibleNote):
        return common | {
            "type": "note",
            "amount_fen": c.principal_fen,
            "valuation_cap_fen": c.valuation_cap_fen,
            "annual_rate": str(c.annual_rate),
            "day_count": c.day_count.value,
            "issue_date": c.issue_date.isoformat(),
        }
    kind = "post_money_safe" if isinstance(c, PostMoneySafe) else "pre_money_safe"
    return common | {
        "type": kind,
        "amount_fen": c.amount_fen,
        "valuation_cap_fen": c.valuation_cap_fen,
    }


def instrument_from(p: Payload) -> Convertible:
    discount = Decimal(p["discount"])
    kind = p["type"]
    if kind == "invest_first":
        return InvestFirst(
            p["holder"],
            p["amount_fen"],
            Variant(p["variant"]),
            discount=discount,
            agreed_valuation_fen=p["agreed_valuation_fen"],
            fixed_fraction=_undec(p["fixed_fraction"]),
        )
    if kind == "note":
        return ConvertibleNote(
            p["holder"],
            p["amount_fen"],
            Decimal(p["annual_rate"]),
            DayCount(p["day_count"]),
            dt.date.fromisoformat(p["issue_date"]),
            valuation_cap_fen=p["valuation_cap_fen"],
            discount=discount,
        )
    safe = PostMoneySafe if kind == "post_money_safe" else PreMoneySafe
    return safe(p["holder"], p["amount_fen"], p["valuation_cap_fen"], discount)


# --- events ------------------------------------------------------------------------------------
def open_payload(founders: Iterable[tuple[str, int]], pool_unallocated: int) -> Payload:
    return {"founders": [[name, shares] for name, shares in founders], "pool": pool_unallocated}


def opened(p: Payload) -> CapTable:
    holdings = tuple(Holding(name, COMMON.name, shares) for name, shares in p["founders"])
    return CapTable((COMMON,), holdings, OptionPool(unallocated=p["pool"]))


def round_payload(
    *,
    series: ShareClass,
    pre_money_fen: int,
    investments: Iterable[Investment],
    pool_target: Decimal | None,
    convertibles: Iterable[tuple[int, Convertible]],
    on: dt.date,
) -> Payload:
    return {
        "series": class_payload(series),
        "pre_money_fen": pre_money_fen,
        "investments": [[i.holder, i.amount_fen] for i in investments],
        "pool_target": _dec(pool_target),
        "convertibles": [instrument_payload(c) | {"id": pk} for pk, c in convertibles],
        "on": on.isoformat(),
    }


def apply_round(table: CapTable, p: Payload) -> RoundResult:
    return priced_round(
        table,
        series=class_from(p["series"]),
        pre_money_fen=p["pre_money_fen"],
        investments=[Investment(h, a) for h, a in p["investments"]],
        pool_target=_undec(p["pool_target"]),
        convertibles=[instrument_from(c) for c in p["convertibles"]],
        conversion_date=dt.date.fromisoformat(p["on"]),
    )


def apply_conversion(table: CapTable, p: Payload) -> Any:
    instrument = instrument_from(p["instrument"])
    assert isinstance(instrument, InvestFirst)
    round_class = table.by_name[p["round_class"]] if p["round_class"] else None
    return convert_outside_round(
        table,
        instrument,
        round_price=_undec(p["round_price"]),
        round_class=round_class,
    )


def apply_transfer(table: CapTable, p: Payload) -> CapTable:
    return transfer(table, holder=p["holder"], buyer=p["buyer"], shares=p["shares"])


@dataclass(frozen=True)
class State:
    """The table after one event, and whether the company has exited."""

    table: CapTable
    exited: bool = False


def step(state: State | None, kind: str, payload: Payload) -> tuple[State, Any]:
    """The state after one event (`kind` is an `EventKind` value), and what the engine reported
    (a `RoundResult` for a round, a `Conversion` for a conversion, else None)."""
    if kind == "open":
        if state is not None:
            raise CapTableError(gettext_noop("This enterprise's cap table is already open."))
        return State(opened(payload)), None
    if state is None:
        raise CapTableError(gettext_noop("This enterprise has no cap table yet."))
    if state.exited:
        raise CapTableError(gettext_noop("The company has exited; its cap table is closed."))
    if kind == "round":
        result = apply_round(state.table, payload)
        return State(result.table), result
    if kind == "conversion":
        conversion = apply_conversion(state.table, payload)
        return State(conversion.table), conversion
    if kind == "transfer":
        return State(apply_transfer(state.table, payload)), None
    if kind == "exit":
        return State(state.table, exited=True), None
    return state, None  # an instrument issued changes no shares until it converts


def apply(state: State | None, kind: str, payload: Payload) -> State:
    return step(state, kind, payload)[0]


# --- snapshots -----------------------------------------------------------------------------------
def snapshot_payload(state: State) -> Payload:
    """A state as JSON (classes with their current prices, holdings, pool, exited)."""
    t = state.table
    return {
        "classes": [
            class_payload(c)
            | {
                "original_issue_price": str(c.original_issue_price),
                "conversion_price": str(c.conversion_price),
            }
            for c in t.classes
        ],
        "holdings": [[h.holder, h.share_class, h.shares, h.invested_fen] for h in t.holdings],
        "pool": [t.pool.granted, t.pool.unallocated],
        "exited": state.exited,
    }


def snapshot_state(p: Payload) -> State:
    classes = tuple(
        replace(
            class_from(c),
            original_issue_price=Decimal(c["original_issue_price"]),
            conversion_price=Decimal(c["conversion_price"]),
        )
        for c in p["classes"]
    )
    holdings = tuple(Holding(h, c, n, i) for h, c, n, i in p["holdings"])
    return State(CapTable(classes, holdings, OptionPool(*p["pool"])), exited=p["exited"])


def replay(events: Iterable[tuple[str, Payload]]) -> Iterator[State]:
    """The state after each event, in order."""
    state: State | None = None
    for kind, payload in events:
        state = apply(state, kind, payload)
        yield state
