"""Reading the terms of a round, a SAFE, a note, an exit plan or an exit from a JSON-ready payload
(pages, the API and maker-checker proposals all send the same shape) into domain values.

Money is int fen (`*_fen`) or a yuan string (`*_yuan`, e.g. "2000000.00" or "200万"); ratios and
multiples are decimal strings; dates ISO. Every problem is collected per field and raised as one
`ValidationError`, so a form can show them all; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from patientcap.domain.captable import (
    AntiDilution,
    ConvertibleNote,
    DayCount,
    Investment,
    Participation,
    PostMoneySafe,
    PreMoneySafe,
    ShareClass,
)
from patientcap.domain.messages import Invalid
from patientcap.domain.money import AmountError, parse_amount
from patientcap.enterprises.validation import explain
from patientcap.equity.models import ExitRoute, InstrumentKind

Payload = dict[str, Any]


class Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def refusal(exc: Invalid, field: str = "__all__") -> ValidationError:
    """A domain or service refusal as a form error, in the reader's language."""
    return ValidationError({field: explain(exc.message)})


def money(p: Payload, name: str, errors: Errors, *, required: bool = True) -> int | None:
    """`name_fen` (int) or `name_yuan` (text) from the payload, as int fen."""
    value = p.get(f"{name}_fen")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(p.get(f"{name}_yuan") or "").strip()
    if not text and value in (None, ""):
        if required:
            errors.add(name, _("Give the amount in yuan, e.g. 2000000.00 or 200万."))
        return None
    try:
        return parse_amount(text or str(value))
    except AmountError:
        errors.add(name, _("Give the amount in yuan, e.g. 2000000.00 or 200万."))
        return None


def ratio(p: Payload, name: str, errors: Errors, *, default: str | None = None) -> Decimal | None:
    """A fraction given as a percentage string ("20" → 0.20) under `name_percent`, or as a
    decimal string under `name`."""
    percent = p.get(f"{name}_percent")
    raw = p.get(name, default) if percent in (None, "") else percent
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.add(name, _("Give a number."))
        return None
    if not value.is_finite():
        errors.add(name, _("Give a number."))
        return None
    return value / 100 if percent not in (None, "") else value


def date(p: Payload, errors: Errors, name: str = "date", required: bool = True) -> dt.date | None:
    raw = str(p.get(name) or "").strip()
    if not raw:
        if required:
            errors.add(name, _("Give the date as YYYY-MM-DD."))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(name, _("Give the date as YYYY-MM-DD."))
        return None


def integer(p: Payload, name: str, errors: Errors) -> int | None:
    raw = p.get(name)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        errors.add(name, _("Give a whole number."))
        return None


def series(p: Payload, errors: Errors) -> ShareClass | None:
    """The new class of a round: {"series": {"name", "seniority", "participation",
    "preference_multiple", "cap_multiple", "anti_dilution"}} (flat keys `series_*` also)."""
    nested = p.get("series")
    s: Payload = nested if isinstance(nested, dict) else {}

    def get(k: str, d: Any = None) -> Any:
        return s.get(k, p.get(f"series_{k}", d))

    name = str(get("name", "") or "").strip()
    if not name:
        errors.add("series", _("Name the round's share class, e.g. Series A."))
        return None
    try:
        participation = Participation(get("participation") or Participation.NON_PARTICIPATING)
        anti = AntiDilution(get("anti_dilution") or AntiDilution.NONE)
        cap = get("cap_multiple")
        return ShareClass(
            name[:100],
            preferred=True,
            seniority=int(get("seniority", 1) or 1),
            preference_multiple=Decimal(str(get("preference_multiple", "1") or "1")),
            participation=participation,
            cap_multiple=Decimal(str(cap)) if cap not in (None, "") else None,
            anti_dilution=anti,
        )
    except (ValueError, InvalidOperation) as exc:
        if isinstance(exc, Invalid):
            errors.add("series", explain(exc.message))
        else:
            errors.add("series", _("Check the share class's rights."))
        return None


def investments(p: Payload, key: str, errors: Errors) -> list[Investment]:
    """[[holder, amount_fen], ...] or the text "holder, amount in yuan" one per line."""
    raw = p.get(key) or []
    rows: list[tuple[str, Any]] = []
    if isinstance(raw, str):
        for line in raw.splitlines():
            if line.strip():
                holder, _sep, amount = line.rpartition(",")
                rows.append((holder.strip(), amount.strip()))
    elif isinstance(raw, list):
        rows = [tuple(r) if isinstance(r, list | tuple) and len(r) == 2 else ("", r) for r in raw]
    result = []
    for holder, amount in rows:
        if not holder:
            errors.add(key, _("Write each investor as: name, amount in yuan."))
            continue
        try:
            fen = amount if isinstance(amount, int) else parse_amount(str(amount))
        except AmountError:
            errors.add(key, _("Write each investor as: name, amount in yuan."))
            continue
        result.append(Investment(str(holder)[:200], fen))
    return result


def round_terms(p: Payload, *, co_investors: bool = False) -> Payload:
    """{"enterprise_id", "date", "series", "pre_money_fen", "investments", "pool_target"} →
    service keyword arguments (raises ValidationError). With `co_investors` the investments are
    the fund's co-investors and may be none."""
    errors = Errors()
    terms = {
        "on": date(p, errors),
        "series": series(p, errors),
        "pre_money_fen": money(p, "pre_money", errors),
        "investments": investments(p, "investments", errors),
        "pool_target": ratio(p, "pool_target", errors),
    }
    if not (terms["investments"] or co_investors) and "investments" not in errors:
        errors.add("investments", _("A priced round needs at least one investment."))
    errors.raise_any()
    return terms


def instrument(
    p: Payload, holder: str | None = None
) -> PostMoneySafe | PreMoneySafe | ConvertibleNote:
    """A SAFE or note from {"kind", "holder", "amount_fen", "valuation_cap_fen", "discount",
    "annual_rate", "day_count", "date"}."""
    errors = Errors()
    kind = p.get("kind")
    if kind not in InstrumentKind.values:
        errors.add("kind", _("Choose a post-money SAFE, a pre-money SAFE or a convertible note."))
    holder = holder or str(p.get("holder") or "").strip()
    if not holder:
        errors.add("holder", _("Name the holder of the SAFE or note."))
    amount = money(p, "amount", errors)
    cap = money(p, "valuation_cap", errors, required=False)
    discount = ratio(p, "discount", errors, default="0") or Decimal(0)
    on = date(p, errors)
    if amount is not None and amount <= 0:
        errors.add("amount", _("A SAFE or note needs a positive amount."))
    if cap is not None and amount is not None and cap <= amount:
        errors.add("valuation_cap", _("A valuation cap must be positive and above the amount."))
    if not Decimal(0) <= discount < 1:
        errors.add("discount", _("A discount must be at least 0 and below 100%."))
    rate = day_count = None
    if kind == InstrumentKind.NOTE:
        rate = ratio(p, "annual_rate", errors)
        if rate is None or not Decimal(0) <= rate <= 1:
            errors.add("annual_rate", _("A note's interest rate must be between 0 and 100%."))
        try:
            day_count = DayCount(str(p.get("day_count")))
        except ValueError:
            errors.add("day_count", _("Choose the note's day count: ACT/365F, ACT/360 or 30/360."))
    errors.raise_any()
    assert amount is not None and on is not None
    if kind == InstrumentKind.NOTE:
        assert rate is not None and day_count is not None
        return ConvertibleNote(holder, amount, rate, day_count, on, cap, discount)
    safe = PostMoneySafe if kind == InstrumentKind.POST_MONEY_SAFE else PreMoneySafe
    return safe(holder, amount, cap, discount)


def plan(p: Payload) -> Payload:
    """The exit plan and next-round tracker: {"exit_route", "exit_horizon_years",
    "target_multiple", "next_round_expected_on", "next_round_expected_fen"}."""
    errors = Errors()
    nested = p.get("plan")
    raw: Payload = nested if isinstance(nested, dict) else p
    route = raw.get("exit_route")
    if route not in ExitRoute.values:
        errors.add("exit_route", _("A holding needs an exit plan: choose the intended route."))
    horizon = integer(raw, "exit_horizon_years", errors)
    if horizon is not None and not 1 <= horizon <= 30:
        errors.add("exit_horizon_years", _("The exit horizon is a whole number of years, 1 to 30."))
    multiple = ratio(raw, "target_multiple", errors)
    if multiple is None or multiple <= 0:
        errors.add("target_multiple", _("The target multiple must be positive."))
    expected_on = date(raw, errors, "next_round_expected_on", required=False)
    expected = money(raw, "next_round_expected", errors, required=False)
    if expected is not None and expected <= 0:
        errors.add("next_round_expected", _("The expected round size must be positive."))
    errors.raise_any()
    return {
        "exit_route": route,
        "exit_horizon_years": horizon,
        "target_multiple": multiple.quantize(Decimal("0.01")) if multiple else multiple,
        "next_round_expected_on": expected_on,
        "next_round_expected_fen": expected,
    }


def plan_json(terms: Payload) -> Payload:
    return {
        "exit_route": terms["exit_route"],
        "exit_horizon_years": terms["exit_horizon_years"],
        "target_multiple": str(terms["target_multiple"]),
        "next_round_expected_on": (
            terms["next_round_expected_on"].isoformat() if terms["next_round_expected_on"] else None
        ),
        "next_round_expected_fen": terms["next_round_expected_fen"],
    }
