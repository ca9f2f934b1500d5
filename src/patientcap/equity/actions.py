"""Equity actions that run only under maker-checker: opening a cap table, recording a priced round
or a SAFE / note, and the angel fund's investments and exits (which move fiscal-pool money).

The fund manager (zone officer) proposes; a reviewer or another zone officer approves. `validate`
parses the payload (`equity.terms`) and then tries the cap-table change inside a savepoint that is
always rolled back, so a proposal the engine would refuse (a zero price, a cap below the amount,
an exit while notes are outstanding) is refused when proposed, with the engine's reason, and
nothing is written. Imported from EquityConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.domain.messages import Invalid
from patientcap.domain.money import format_yuan
from patientcap.enterprises.models import Enterprise
from patientcap.equity import replay, services, terms
from patientcap.equity.models import AngelHolding, ExitRoute, HoldingStatus
from patientcap.equity.scopes import cap_table_enterprises
from patientcap.ledger import selectors as ledger

MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER, Role.ZONE_OFFICER}  # never the maker: the approvals service refuses
INVEST_FORMS = ("equity", "post_money_safe", "pre_money_safe", "note")


class _DryRun(Exception):
    pass


def _try(change: Callable[[], Any]) -> None:
    """Run `change` and roll it back whatever happens; a refusal becomes a ValidationError."""
    try:
        with transaction.atomic():
            change()
            raise _DryRun
    except _DryRun:
        return
    except Invalid as exc:
        raise terms.refusal(exc) from exc


def _enterprise_id(payload: dict, user: Any) -> int:
    try:
        pk = int(str(payload.get("enterprise_id")))
    except ValueError:
        pk = 0
    readable = scoping.readable(user, Enterprise).filter(cap_table_enterprises(user))
    if not readable.filter(pk=pk).exists():
        raise ValidationError({"enterprise_id": _("There is no such enterprise.")})
    return pk


def _enterprise_name(payload: dict) -> str:
    e = Enterprise.objects.filter(pk=int(payload["enterprise_id"])).first()
    return e.name if e else str(payload.get("enterprise_id"))


def _source(proposal: Any) -> str:
    return f"approvals.proposal:{proposal.pk}"


# --- opening ---
def validate_open(payload: dict, user: Any) -> dict:
    """{"enterprise_id", "date", "founders": [[name, shares]] or "name, shares" lines,
    "pool_unallocated": int}"""
    errors = terms.Errors()
    pk = _enterprise_id(payload, user)
    on = terms.date(payload, errors)
    raw = payload.get("founders") or []
    founders: list[list[Any]] = []
    if isinstance(raw, str):
        raw = [line.rpartition(",")[::2] for line in raw.splitlines() if line.strip()]
    for row in raw if isinstance(raw, list) else []:
        try:
            name, shares = row
            founders.append([str(name).strip(), int(str(shares).strip())])
        except (TypeError, ValueError):
            errors.add("founders", _("Write each founder as: name, number of shares."))
    pool = terms.integer({"pool": payload.get("pool_unallocated", 0) or 0}, "pool", errors)
    errors.raise_any()
    assert on is not None and pool is not None
    clean = {
        "enterprise_id": pk,
        "date": on.isoformat(),
        "founders": founders,
        "pool_unallocated": pool,
    }
    _try(lambda: _open(clean, user, "validate"))
    return clean


def _open(p: dict, actor: Any, source: str) -> Any:
    return services.open_cap_table(
        enterprise_id=p["enterprise_id"],
        founders=[(n, s) for n, s in p["founders"]],
        on=dt.date.fromisoformat(p["date"]),
        actor=actor,
        source=source,
        pool_unallocated=p["pool_unallocated"],
    )


@approvals.action(
    "equity.open_cap_table",
    label=gettext_lazy("Open an enterprise's cap table"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_open,
    target=lambda p: f"equity:{p['enterprise_id']}:open",
    summarise=lambda p: _("Open the cap table of %(firm)s") % {"firm": _enterprise_name(p)},
)
def open_cap_table(payload: dict, proposal: Any) -> dict:
    event = _open(payload, proposal.decided_by, _source(proposal))
    return {"event_id": event.pk}


# --- a priced round ---
def _round_json(pk: int, t: dict) -> dict:
    return {
        "enterprise_id": pk,
        "date": t["on"].isoformat(),
        "series": replay.class_payload(t["series"]),
        "pre_money_fen": t["pre_money_fen"],
        "investments": [[i.holder, i.amount_fen] for i in t["investments"]],
        "pool_target": str(t["pool_target"]) if t["pool_target"] is not None else None,
    }


def _record_round(p: dict, actor: Any, source: str) -> Any:
    t = terms.round_terms(p)
    return services.record_round(enterprise_id=p["enterprise_id"], actor=actor, source=source, **t)


def validate_round(payload: dict, user: Any) -> dict:
    pk = _enterprise_id(payload, user)
    clean = _round_json(pk, terms.round_terms(payload))
    _try(lambda: _record_round(clean, user, "validate"))
    return clean


@approvals.action(
    "equity.record_round",
    label=gettext_lazy("Record a priced round"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_round,
    target=lambda p: f"equity:{p['enterprise_id']}:round:{p['series']['name']}",
    summarise=lambda p: (
        _("%(series)s of %(firm)s at %(pre)s pre-money")
        % {
            "series": p["series"]["name"],
            "firm": _enterprise_name(p),
            "pre": format_yuan(p["pre_money_fen"]),
        }
    ),
)
def record_round(payload: dict, proposal: Any) -> dict:
    row = _record_round(payload, proposal.decided_by, _source(proposal))
    return {"round_id": row.pk, "price_per_share": str(row.price_per_share)}


# --- a SAFE or a note ---
def _instrument_json(pk: int, c: Any, on: str) -> dict:
    p = replay.instrument_payload(c)
    kind = p.pop("type")
    return {"enterprise_id": pk, "date": on, "kind": kind} | p


def validate_instrument(payload: dict, user: Any) -> dict:
    pk = _enterprise_id(payload, user)
    c = terms.instrument(payload)
    clean = _instrument_json(pk, c, str(payload["date"]))
    _try(lambda: _issue(clean, user, "validate"))
    return clean


def _issue(p: dict, actor: Any, source: str) -> Any:
    return services.issue_instrument(
        enterprise_id=p["enterprise_id"],
        on=dt.date.fromisoformat(p["date"]),
        instrument=terms.instrument(p),
        actor=actor,
        source=source,
    )


@approvals.action(
    "equity.issue_instrument",
    label=gettext_lazy("Record a SAFE or convertible note"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_instrument,
    target=lambda p: f"equity:{p['enterprise_id']}:instrument:{p['holder']}:{p['date']}",
    summarise=lambda p: (
        _("%(kind)s of %(amount)s from %(holder)s to %(firm)s")
        % {
            "kind": p["kind"],
            "amount": format_yuan(p["amount_fen"]),
            "holder": p["holder"],
            "firm": _enterprise_name(p),
        }
    ),
)
def issue_instrument(payload: dict, proposal: Any) -> dict:
    row = _issue(payload, proposal.decided_by, _source(proposal))
    return {"instrument_id": row.pk}


# --- the angel fund invests ---
def validate_angel_invest(payload: dict, user: Any) -> dict:
    """{"enterprise_id", "date", "form": equity | post_money_safe | pre_money_safe | note,
    "amount_fen", "plan": {...}, and for equity the round ("series", "pre_money_fen",
    "investments" of co-investors, "pool_target"), for a SAFE or note its terms}."""
    pk = _enterprise_id(payload, user)
    form = payload.get("form")
    if form not in INVEST_FORMS:
        raise ValidationError({"form": _("Choose priced equity, a SAFE or a convertible note.")})
    plan = terms.plan(payload)
    errors = terms.Errors()
    amount = terms.money(payload, "amount", errors)
    if amount is not None and amount <= 0:
        errors.add("amount", _("An investment is a positive amount."))
    errors.raise_any()
    assert amount is not None
    base = {"enterprise_id": pk, "form": form, "amount_fen": amount, "plan": terms.plan_json(plan)}
    if form == "equity":
        clean = base | _round_json(pk, terms.round_terms(payload, co_investors=True))
    else:
        instrument = terms.instrument(
            {**payload, "kind": form, "amount_fen": amount}, holder=services.ANGEL_FUND
        )
        clean = base | _instrument_json(pk, instrument, str(payload["date"]))
    available = ledger.balance("fiscal_pool.cash")
    if amount > available:
        raise ValidationError(
            {
                "amount": _("The fiscal pool holds %(cash)s; it cannot cover %(amount)s.")
                % {"cash": format_yuan(available), "amount": format_yuan(amount)}
            }
        )
    _try(lambda: _angel_invest(clean, user, "validate"))
    return clean


def _angel_invest(p: dict, actor: Any, source: str) -> Any:
    plan = terms.plan(p)
    on = dt.date.fromisoformat(p["date"])
    if p["form"] == "equity":
        t = terms.round_terms(p, co_investors=True)
        return services.invest_in_round(
            enterprise_id=p["enterprise_id"],
            on=on,
            amount_fen=p["amount_fen"],
            series=t["series"],
            pre_money_fen=t["pre_money_fen"],
            co_investors=t["investments"],
            pool_target=t["pool_target"],
            plan=plan,
            actor=actor,
            source=source,
        )
    instrument = terms.instrument(p, holder=services.ANGEL_FUND)
    return services.invest_by_instrument(
        enterprise_id=p["enterprise_id"],
        on=on,
        instrument=instrument,
        plan=plan,
        actor=actor,
        source=source,
    )


def _kind_label(form: str) -> str:
    return {
        "equity": _("Priced equity"),
        "post_money_safe": _("Post-money SAFE"),
        "pre_money_safe": _("Pre-money SAFE"),
        "note": _("Convertible note"),
    }[form]


@approvals.action(
    "equity.angel_invest",
    label=gettext_lazy("Angel fund investment"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_angel_invest,
    target=lambda p: f"equity:{p['enterprise_id']}:angel:{p['date']}",
    summarise=lambda p: (
        _("Angel fund: %(form)s of %(amount)s in %(firm)s")
        % {
            "form": _kind_label(p["form"]),
            "amount": format_yuan(p["amount_fen"]),
            "firm": _enterprise_name(p),
        }
    ),
)
def angel_invest(payload: dict, proposal: Any) -> dict:
    row = _angel_invest(payload, proposal.decided_by, _source(proposal))
    return {"investment_id": row.pk, "holding_id": row.holding_id}


# --- the angel fund exits ---
def validate_angel_exit(payload: dict, user: Any) -> dict:
    """{"holding_id", "date", "route", "exit_fen" (trade sale: the price of the company) or
    "proceeds_fen" and "buyer" (a sale of the fund's shares)}."""
    errors = terms.Errors()
    holding = (
        scoping.readable(user, AngelHolding)
        .filter(pk=payload["holding_id"], kind="angel", status=HoldingStatus.ACTIVE)
        .first()
        if isinstance(payload.get("holding_id"), int)
        else None
    )
    if holding is None:
        raise ValidationError({"holding_id": _("There is no such active angel-fund holding.")})
    on = terms.date(payload, errors)
    route = payload.get("route")
    if route not in ExitRoute.values:
        errors.add("route", _("Choose how the fund exits."))
    trade = route == ExitRoute.TRADE_SALE
    amount = terms.money(payload, "exit" if trade else "proceeds", errors)
    if amount is not None and amount < 0:
        errors.add("exit" if trade else "proceeds", _("Exit proceeds cannot be negative."))
    buyer = str(payload.get("buyer") or "").strip()[:200]
    if not trade and not buyer:
        errors.add("buyer", _("Name who buys the fund's shares."))
    errors.raise_any()
    assert on is not None
    clean = {
        "holding_id": holding.pk,
        "date": on.isoformat(),
        "route": route,
        "exit_fen": amount if trade else None,
        "proceeds_fen": 0 if trade else amount,
        "buyer": buyer,
    }
    _try(lambda: _exit(clean, user, "validate"))
    return clean


def _exit(p: dict, actor: Any, source: str) -> Any:
    return services.exit_holding(
        holding_id=p["holding_id"],
        on=dt.date.fromisoformat(p["date"]),
        route=p["route"],
        proceeds_fen=p["proceeds_fen"],
        exit_fen=p["exit_fen"],
        buyer=p["buyer"],
        actor=actor,
        source=source,
    )


def _exit_summary(p: dict) -> str:
    h = AngelHolding.objects.select_related("enterprise").filter(pk=p["holding_id"]).first()
    firm = h.enterprise.name if h else str(p["holding_id"])
    return _("Angel fund exits %(firm)s (%(route)s)") % {
        "firm": firm,
        "route": ExitRoute(p["route"]).label,
    }


@approvals.action(
    "equity.angel_exit",
    label=gettext_lazy("Angel fund exit"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_angel_exit,
    target=lambda p: f"equity:holding:{p['holding_id']}:exit",
    summarise=_exit_summary,
)
def angel_exit(payload: dict, proposal: Any) -> dict:
    holding = _exit(payload, proposal.decided_by, _source(proposal))
    return {"holding_id": holding.pk, "returned_fen": holding.returned_fen}
