"""Write use cases of equity: record cap-table events (opening, priced rounds, SAFEs and notes,
invest-first conversions, transfers, exits) and the angel fund's investments, exits and reviews.

Each event is checked by replaying the enterprise's table through the domain engine with the new
event on top; only then are the event and its result rows written, with an audit record, in the
caller's transaction (`transaction.atomic` nests: these functions never commit on their own, so
maker-checker execution keeps all-or-nothing). Events are recorded in date order: one dated before
the enterprise's latest event is refused, so the stored results always equal the replay.

Only fund staff change cap tables: zone officers (the fund managers, who propose) and reviewers
(who approve under maker-checker); anyone else is refused with `NotFundStaff`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

from patientcap.accounts.models import Role
from patientcap.audit.services import record
from patientcap.domain.captable import (
    ConvertibleNote,
    InvestFirst,
    Investment,
    PostMoneySafe,
    PreMoneySafe,
    ShareClass,
    Variant,
)
from patientcap.domain.ledger import JournalEntry, credit, debit, realisation
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.waterfall import waterfall
from patientcap.enterprises.models import Enterprise
from patientcap.equity import replay
from patientcap.equity.models import (
    AngelHolding,
    AngelInvestment,
    CapTableEvent,
    Conversion,
    EventKind,
    Exit,
    ExitRoute,
    HoldingKind,
    HoldingReview,
    HoldingStatus,
    Instrument,
    Round,
    Snapshot,
    Transfer,
)
from patientcap.ledger import services as ledger

FUND_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}
ANGEL_FUND = "凤栖天使基金"  # the fund's name as a holder on every cap table
BOOK = "fiscal_pool"


class NotFundStaff(Invalid):
    """The actor is not fund staff: cap tables are changed by the fund only."""


def is_fund_staff(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.role in FUND_STAFF and not user.is_read_only))
    )


def _require_fund_staff(actor: Any) -> None:
    if not is_fund_staff(actor):
        raise NotFundStaff(gettext_noop("Only the fund's staff may change a cap table."))


def _enterprise(enterprise_id: int) -> Enterprise:
    # Locks the enterprise row on PostgreSQL so that two events of one firm queue for their
    # sequence numbers (SQLite transactions already hold the write lock from the start).
    enterprise = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
    if enterprise is None:
        raise Invalid(gettext_noop("There is no enterprise %(id)s."), {"id": enterprise_id})
    return enterprise


def _state(enterprise: Enterprise, on: dt.date) -> replay.State | None:
    """The current state (from the snapshot of the latest event), after checking that `on` is not
    before the latest event; None before the table is opened."""
    snapshot = Snapshot.objects.filter(enterprise=enterprise).select_related("event").first()
    if snapshot is None:
        return None
    if on < snapshot.event.on:
        raise Invalid(
            gettext_noop(
                "Cap-table events are recorded in date order: the latest is dated %(latest)s."
            ),
            {"latest": snapshot.event.on.isoformat()},
        )
    return replay.snapshot_state(snapshot.table)


def _append(
    enterprise: Enterprise,
    kind: str,
    on: dt.date,
    payload: dict,
    state: replay.State,
    actor: Any,
    source: str,
) -> CapTableEvent:
    """Store the event and the snapshot of the `state` after it, with the audit record."""
    last = CapTableEvent.objects.filter(enterprise=enterprise).aggregate(Max("sequence"))
    event = CapTableEvent.objects.create(
        enterprise=enterprise,
        sequence=(last["sequence__max"] or 0) + 1,
        kind=kind,
        on=on,
        payload=payload,
        recorded_by=actor,
        source=source or "",
    )
    Snapshot.objects.update_or_create(
        enterprise=enterprise,
        defaults={"event": event, "table": replay.snapshot_payload(state)},
    )
    record(
        actor=actor,
        action=f"equity.{kind}",
        object_type="equity.CapTableEvent",
        object_id=event.pk,
        after={"enterprise": enterprise.pk, "on": on.isoformat(), "payload": payload},
    )
    return event


def _flag_reviews(enterprise: Enterprise, on: dt.date, reason: str) -> None:
    AngelHolding.objects.filter(
        enterprise=enterprise, status=HoldingStatus.ACTIVE, review_due_since__isnull=True
    ).update(review_due_since=on, review_reason=reason[:200])


# --- cap-table events --------------------------------------------------------------------------
def open_cap_table(
    *,
    enterprise_id: int,
    founders: list[tuple[str, int]],
    on: dt.date,
    actor: Any,
    source: str,
    pool_unallocated: int = 0,
) -> CapTableEvent:
    """Open an enterprise's cap table with its founders' common shares and an option pool.

    Idempotent: opening again with the same founders and pool returns the existing opening; an
    opening that differs is refused (the table is already open)."""
    _require_fund_staff(actor)
    names = [name for name, _ in founders]
    if not founders or any(not str(n).strip() for n in names) or len(set(names)) != len(names):
        raise Invalid(gettext_noop("A cap table opens with founders named once each."))
    if any(not isinstance(s, int) or isinstance(s, bool) or s <= 0 for _, s in founders):
        raise Invalid(gettext_noop("Each founder holds a positive whole number of shares."))
    if not isinstance(pool_unallocated, int) or pool_unallocated < 0:
        raise Invalid(gettext_noop("The option pool cannot be negative."))
    payload = replay.open_payload(founders, pool_unallocated)
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        existing = CapTableEvent.objects.filter(enterprise=enterprise, kind=EventKind.OPEN).first()
        if existing is not None:
            if existing.payload == payload:
                return existing
            raise Invalid(gettext_noop("This enterprise's cap table is already open."))
        state = replay.apply(None, EventKind.OPEN, payload)
        return _append(enterprise, EventKind.OPEN, on, payload, state, actor, source)


def _outstanding(enterprise: Enterprise, on: dt.date) -> list[Instrument]:
    return list(
        Instrument.objects.filter(
            enterprise=enterprise, converted_in__isnull=True, issued_on__lte=on
        ).order_by("issued_on", "pk")
    )


def record_round(
    *,
    enterprise_id: int,
    on: dt.date,
    series: ShareClass,
    pre_money_fen: int,
    investments: Sequence[Investment],
    actor: Any,
    source: str,
    pool_target: Decimal | None = None,
) -> Round:
    """A priced round: new money into a new class at pre-money / fully diluted (with the pool
    top-up to `pool_target`), converting every SAFE and note outstanding on `on`; protected
    classes are adjusted on a down round. Flags the angel fund's holdings for review."""
    _require_fund_staff(actor)
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        state = _state(enterprise, on)
        outstanding = _outstanding(enterprise, on)
        convertibles = [
            (i.pk, replay.instrument_from(i.event.payload["instrument"])) for i in outstanding
        ]
        payload = replay.round_payload(
            series=series,
            pre_money_fen=pre_money_fen,
            investments=investments,
            pool_target=pool_target,
            convertibles=convertibles,
            on=on,
        )
        if state is None:
            raise Invalid(gettext_noop("Open the enterprise's cap table first."))
        after, result = replay.step(state, EventKind.ROUND, payload)  # refuses closed tables
        previous = Round.objects.filter(enterprise=enterprise).order_by("-on", "-pk").first()
        event = _append(enterprise, EventKind.ROUND, on, payload, after, actor, source)
        row = Round.objects.create(
            event=event,
            enterprise=enterprise,
            on=on,
            series=series.name,
            pre_money_fen=pre_money_fen,
            new_money_fen=sum(i.amount_fen for i in investments),
            price_per_share=result.price_per_share,
            pool_target=pool_target,
            pool_increase=result.pool_increase,
            shares_issued=sum(i.shares for i in result.issued + result.conversions),
            fully_diluted_post=result.fully_diluted_post,
            residue_fen=result.residue_fen,
            down_round=previous is not None and result.price_per_share < previous.price_per_share,
            adjustments=[
                {
                    "share_class": a.share_class,
                    "method": a.method.value,
                    "old_price": str(a.old_price),
                    "new_price": str(a.new_price),
                }
                for a in result.adjustments
            ],
        )
        for instrument, issue in zip(outstanding, result.conversions, strict=True):
            instrument.converted_in = row
            instrument.converted_shares = issue.shares
            instrument.save(update_fields=["converted_in", "converted_shares"])
        _flag_reviews(enterprise, on, f"round:{row.pk}")
        return row


def issue_instrument(
    *,
    enterprise_id: int,
    on: dt.date,
    instrument: PostMoneySafe | PreMoneySafe | ConvertibleNote,
    actor: Any,
    source: str,
) -> Instrument:
    """A SAFE (post- or pre-money) or a convertible note; it converts at the next priced round."""
    _require_fund_staff(actor)
    _check_instrument(instrument, on)
    payload = {"instrument": replay.instrument_payload(instrument)}
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        state = _state(enterprise, on)
        if state is None:
            raise Invalid(gettext_noop("Open the enterprise's cap table first."))
        after = replay.apply(state, EventKind.INSTRUMENT, payload)
        event = _append(enterprise, EventKind.INSTRUMENT, on, payload, after, actor, source)
        kind = replay.instrument_payload(instrument)["type"]
        note = instrument if isinstance(instrument, ConvertibleNote) else None
        return Instrument.objects.create(
            event=event,
            enterprise=enterprise,
            kind=kind,
            holder=instrument.holder,
            amount_fen=note.principal_fen if note else instrument.amount_fen,  # type: ignore[union-attr]
            issued_on=on,
            valuation_cap_fen=instrument.valuation_cap_fen,
            discount=instrument.discount,
            annual_rate=note.annual_rate if note else None,
            day_count=note.day_count.value if note else "",
        )


def _check_instrument(c: PostMoneySafe | PreMoneySafe | ConvertibleNote, on: dt.date) -> None:
    amount = c.principal_fen if isinstance(c, ConvertibleNote) else c.amount_fen
    if not c.holder.strip():
        raise Invalid(gettext_noop("Name the holder of the SAFE or note."))
    if not isinstance(amount, int) or amount <= 0:
        raise Invalid(gettext_noop("A SAFE or note needs a positive amount."))
    if not Decimal(0) <= c.discount < 1:
        raise Invalid(gettext_noop("A discount must be at least 0 and below 100%%."))
    if c.valuation_cap_fen is not None and c.valuation_cap_fen <= amount:
        raise Invalid(gettext_noop("A valuation cap must be positive and above the amount."))
    if isinstance(c, ConvertibleNote):
        if not Decimal(0) <= c.annual_rate <= 1:
            raise Invalid(gettext_noop("A note's interest rate must be between 0 and 100%%."))
        if c.issue_date != on:
            raise Invalid(gettext_noop("A note is recorded on its issue date."))


def convert_invest_first(
    *,
    enterprise_id: int,
    instrument: InvestFirst,
    on: dt.date,
    actor: Any,
    source: str,
    round_id: int | None = None,
) -> Conversion:
    """Convert invest-first money into shares: variants A and D at the price of the priced round
    `round_id` (the next market round; refused without one), B and C on their own, E refused.
    Returns the conversion row (`.shares`, `.price`, `.stake`, `.residue_fen`)."""
    _require_fund_staff(actor)
    if instrument.variant == Variant.NO_CONVERSION:
        raise Invalid(gettext_noop("Variant E money does not convert into shares."))
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        state = _state(enterprise, on)
        if state is None:
            raise Invalid(gettext_noop("Open the enterprise's cap table first."))
        rnd = None
        if round_id is not None:
            rnd = Round.objects.filter(pk=round_id, enterprise=enterprise).first()
            if rnd is None:
                raise Invalid(
                    gettext_noop("Round %(id)s is not a round of this enterprise."),
                    {"id": round_id},
                )
        needs_round = instrument.variant in (Variant.NEXT_ROUND, Variant.CAPPED)
        if needs_round and rnd is None:
            raise Invalid(
                gettext_noop(
                    "Variant %(v)s converts at the next market round's price: record the "
                    "round first and name it."
                ),
                {"v": instrument.variant.value},
            )
        use_round = rnd if needs_round else None
        payload = {
            "instrument": replay.instrument_payload(instrument),
            "round_price": str(use_round.price_per_share) if use_round else None,
            "round_class": use_round.series if use_round else None,
            "round_id": rnd.pk if rnd else None,
        }
        after, result = replay.step(state, EventKind.CONVERSION, payload)
        event = _append(enterprise, EventKind.CONVERSION, on, payload, after, actor, source)
        row = Conversion.objects.create(
            event=event,
            enterprise=enterprise,
            on=on,
            holder=instrument.holder,
            variant=instrument.variant.value,
            amount_fen=instrument.amount_fen,
            round=rnd,
            share_class=result.share_class,
            shares=result.issue.shares,
            price=result.issue.price,
            stake=result.stake,
            residue_fen=result.issue.residue_fen,
        )
        _flag_reviews(enterprise, on, f"conversion:{row.pk}")
        return row


def transfer_holding(
    *,
    enterprise_id: int,
    holder: str,
    shares: int,
    buyer: str,
    on: dt.date,
    proceeds_fen: int,
    actor: Any,
    source: str,
) -> Transfer:
    """`holder` sells `shares` to `buyer` for `proceeds_fen` (a secondary sale or buyback)."""
    _require_fund_staff(actor)
    if not isinstance(proceeds_fen, int) or isinstance(proceeds_fen, bool) or proceeds_fen < 0:
        raise Invalid(gettext_noop("Sale proceeds cannot be negative."))
    buyer = (buyer or "").strip()
    payload: dict[str, Any] = {
        "holder": holder,
        "buyer": buyer,
        "shares": shares,
        "proceeds_fen": proceeds_fen,
    }
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        state = _state(enterprise, on)
        if state is None:
            raise Invalid(gettext_noop("Open the enterprise's cap table first."))
        after = replay.apply(state, EventKind.TRANSFER, payload)
        event = _append(enterprise, EventKind.TRANSFER, on, payload, after, actor, source)
        return Transfer.objects.create(
            event=event,
            enterprise=enterprise,
            on=on,
            holder=holder,
            buyer=buyer,
            shares=shares,
            proceeds_fen=proceeds_fen,
        )


def record_exit(
    *, enterprise_id: int, on: dt.date, proceeds_fen: int, actor: Any, source: str
) -> Exit:
    """The sale of the company for `proceeds_fen` (net of costs and debt), paid to the holders by
    the liquidation waterfall; the table is closed afterwards. Refused while a SAFE or note is
    outstanding (convert or settle it first)."""
    _require_fund_staff(actor)
    if not isinstance(proceeds_fen, int) or isinstance(proceeds_fen, bool) or proceeds_fen < 0:
        raise Invalid(gettext_noop("Exit proceeds cannot be negative."))
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        state = _state(enterprise, on)
        if state is None:
            raise Invalid(gettext_noop("Open the enterprise's cap table first."))
        if _outstanding(enterprise, on):
            raise Invalid(
                gettext_noop("SAFEs or notes are outstanding: convert or settle them first.")
            )
        payload: dict[str, Any] = {"proceeds_fen": proceeds_fen}
        after = replay.apply(state, EventKind.EXIT, payload)
        payouts = waterfall(state.table, proceeds_fen).payouts
        payload["payouts"] = payouts
        event = _append(enterprise, EventKind.EXIT, on, payload, after, actor, source)
        return Exit.objects.create(
            event=event, enterprise=enterprise, on=on, proceeds_fen=proceeds_fen, payouts=payouts
        )


# --- the angel fund ----------------------------------------------------------------------------
def _holding(
    enterprise: Enterprise, holder: str, on: dt.date, kind: str, plan: dict[str, Any]
) -> AngelHolding:
    holding = AngelHolding.objects.filter(enterprise=enterprise, holder=holder).first()
    if holding is not None:
        if holding.status == HoldingStatus.EXITED:
            raise Invalid(gettext_noop("The fund has exited this enterprise."))
        return holding
    if plan.get("exit_route") not in ExitRoute.values:
        raise Invalid(gettext_noop("A holding needs an exit plan: choose the intended route."))
    horizon, multiple = plan.get("exit_horizon_years"), plan.get("target_multiple")
    if not isinstance(horizon, int) or not 1 <= horizon <= 30:
        raise Invalid(gettext_noop("The exit horizon is a whole number of years, 1 to 30."))
    if not isinstance(multiple, Decimal) or multiple <= 0:
        raise Invalid(gettext_noop("The target multiple must be positive."))
    return AngelHolding.objects.create(
        enterprise=enterprise,
        holder=holder,
        kind=kind,
        opened_on=on,
        exit_route=plan["exit_route"],
        exit_horizon_years=horizon,
        target_multiple=multiple,
        next_round_expected_on=plan.get("next_round_expected_on"),
        next_round_expected_fen=plan.get("next_round_expected_fen"),
    )


def investment_entry(
    enterprise: Enterprise, amount_fen: int, on: dt.date, key: str
) -> JournalEntry:
    """The fund's money into an enterprise: angel_fund Dr / cash Cr."""
    return JournalEntry(
        book=BOOK,
        date=on,
        memo=f"凤栖天使基金投资 {enterprise.name}",
        idempotency_key=key,
        postings=(debit(f"{BOOK}.angel_fund", amount_fen), credit(f"{BOOK}.cash", amount_fen)),
    )


def exit_entry(
    holding: AngelHolding, cost_fen: int, proceeds_fen: int, on: dt.date, key: str
) -> JournalEntry | None:
    """Proceeds of an exit: cash Dr; angel_fund Cr at cost; the difference to realised gains Cr
    or realised losses Dr (None when there is nothing to book)."""
    postings = realisation(f"{BOOK}.angel_fund", cost_fen, proceeds_fen)
    if not postings:
        return None
    return JournalEntry(
        book=BOOK,
        date=on,
        memo=f"凤栖天使基金退出 {holding.enterprise.name}",
        idempotency_key=key,
        postings=tuple(postings),
    )


def _post(entry: JournalEntry, actor: Any, source: str) -> int:
    row = ledger.post_entry(
        book=entry.book,
        date=entry.date,
        memo=entry.memo,
        idempotency_key=entry.idempotency_key,
        postings=entry.postings,
        actor=actor,
        source=source,
    )
    return row.pk


def invest_in_round(
    *,
    enterprise_id: int,
    on: dt.date,
    amount_fen: int,
    series: ShareClass,
    pre_money_fen: int,
    co_investors: Sequence[Investment] = (),
    pool_target: Decimal | None = None,
    plan: dict[str, Any],
    actor: Any,
    source: str,
    book: bool = True,
) -> AngelInvestment:
    """The fund invests `amount_fen` in a priced round (with any co-investors): the round is
    recorded, the money booked (angel_fund Dr / cash Cr), the holding opened with its exit plan
    and next-round tracker if new. `book=False` leaves the booking to the caller (history booked
    in one batch, `ledger.services.post_batch`; the caller links `entry_id`)."""
    _require_fund_staff(actor)
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise Invalid(gettext_noop("An investment is a positive amount."))
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        rnd = record_round(
            enterprise_id=enterprise.pk,
            on=on,
            series=series,
            pre_money_fen=pre_money_fen,
            investments=[Investment(ANGEL_FUND, amount_fen), *co_investors],
            pool_target=pool_target,
            actor=actor,
            source=source,
        )
        holding = _holding(enterprise, ANGEL_FUND, on, HoldingKind.ANGEL, plan)
        key = f"equity.angel:round:{rnd.pk}"
        entry = (
            _post(investment_entry(enterprise, amount_fen, on, key), actor, source)
            if book
            else None
        )
        return AngelInvestment.objects.create(
            holding=holding, on=on, form="equity", amount_fen=amount_fen, round=rnd, entry_id=entry
        )


def invest_by_instrument(
    *,
    enterprise_id: int,
    on: dt.date,
    instrument: PostMoneySafe | PreMoneySafe | ConvertibleNote,
    plan: dict[str, Any],
    actor: Any,
    source: str,
    book: bool = True,
) -> AngelInvestment:
    """The fund invests through a SAFE or a convertible note (its holder is the fund); `book` as
    for `invest_in_round`."""
    _require_fund_staff(actor)
    if instrument.holder != ANGEL_FUND:
        raise Invalid(gettext_noop("The fund's SAFE or note is held by the fund."))
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        holding = _holding(enterprise, ANGEL_FUND, on, HoldingKind.ANGEL, plan)
        row = issue_instrument(
            enterprise_id=enterprise.pk, on=on, instrument=instrument, actor=actor, source=source
        )
        key = f"equity.angel:instrument:{row.pk}"
        entry = (
            _post(investment_entry(enterprise, row.amount_fen, on, key), actor, source)
            if book
            else None
        )
        return AngelInvestment.objects.create(
            holding=holding,
            on=on,
            form=row.kind,
            amount_fen=row.amount_fen,
            instrument=row,
            entry_id=entry,
        )


def track_converted_invest_first(
    *, enterprise_id: int, holder: str, on: dt.date, plan: dict[str, Any], actor: Any
) -> AngelHolding:
    """Give a converted invest-first stake its exit plan and next-round tracker (the investments
    app books its money; the holding carries no AngelInvestment here)."""
    _require_fund_staff(actor)
    with transaction.atomic():
        enterprise = _enterprise(enterprise_id)
        return _holding(enterprise, holder, on, HoldingKind.INVEST_FIRST, plan)


def holding_cost_fen(holding: AngelHolding) -> int:
    return holding.investments.aggregate(s=Sum("amount_fen"))["s"] or 0


def exit_holding(
    *,
    holding_id: int,
    on: dt.date,
    route: str,
    proceeds_fen: int,
    actor: Any,
    source: str,
    buyer: str = "",
    exit_fen: int | None = None,
    book: bool = True,
) -> AngelHolding:
    """The fund exits a holding. A trade sale sells the company for `exit_fen` and the fund gets
    its waterfall payout; a secondary sale, buyback or IPO sale transfers all the fund's shares to
    `buyer` for `proceeds_fen`. Proceeds are booked (cash Dr; angel_fund Cr at cost; the
    difference to realised gains Cr or realised losses Dr; `book=False` leaves that to the caller,
    `exit_entry`)."""
    _require_fund_staff(actor)
    if route not in ExitRoute.values:
        raise Invalid(gettext_noop("Choose how the fund exits."))
    for value in (proceeds_fen, exit_fen):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise Invalid(gettext_noop("Exit proceeds cannot be negative."))
    with transaction.atomic():
        holding = AngelHolding.objects.select_for_update().filter(pk=holding_id).first()
        if holding is None or holding.kind != HoldingKind.ANGEL:
            raise Invalid(gettext_noop("There is no such angel-fund holding."))
        if holding.status == HoldingStatus.EXITED:
            raise Invalid(gettext_noop("The fund has already exited this holding."))
        from patientcap.equity import selectors

        if route == ExitRoute.TRADE_SALE:
            if exit_fen is None:
                raise Invalid(gettext_noop("Give the price the company is sold for."))
            row = record_exit(
                enterprise_id=holding.enterprise_id,
                on=on,
                proceeds_fen=exit_fen,
                actor=actor,
                source=source,
            )
            proceeds_fen = row.payouts.get(holding.holder, 0)
            key = f"equity.angel:exit:{row.pk}"
        else:
            shares = selectors.holding_shares(holding.enterprise_id, holding.holder, on)
            if shares <= 0:
                raise Invalid(gettext_noop("The fund holds no shares here to sell."))
            sale = transfer_holding(
                enterprise_id=holding.enterprise_id,
                holder=holding.holder,
                shares=shares,
                buyer=buyer,
                on=on,
                proceeds_fen=proceeds_fen,
                actor=actor,
                source=source,
            )
            key = f"equity.angel:sale:{sale.pk}"
        entry = exit_entry(holding, holding_cost_fen(holding), proceeds_fen, on, key)
        if book and entry is not None:
            _post(entry, actor, source)
        before = {"status": holding.status}
        holding.status = HoldingStatus.EXITED
        holding.exited_on = on
        holding.returned_fen = proceeds_fen
        holding.review_due_since, holding.review_reason = None, ""
        holding.save()
        record(
            actor=actor,
            action="equity.angel_exit",
            object_type="equity.AngelHolding",
            object_id=holding.pk,
            before=before,
            after={"status": holding.status, "returned_fen": proceeds_fen, "route": route},
        )
        return holding


def review_holding(
    *,
    holding_id: int,
    on: dt.date,
    note: str,
    actor: Any,
    next_round_expected_on: dt.date | None = None,
    next_round_expected_fen: int | None = None,
) -> HoldingReview:
    """A fund manager reviews a holding (clearing its flag) and may update the next-round
    tracker's expectation."""
    _require_fund_staff(actor)
    if not (note or "").strip():
        raise Invalid(gettext_noop("Write what the review concluded."))
    if next_round_expected_fen is not None and next_round_expected_fen <= 0:
        raise Invalid(gettext_noop("The expected round size must be positive."))
    with transaction.atomic():
        holding = AngelHolding.objects.select_for_update().filter(pk=holding_id).first()
        if holding is None:
            raise Invalid(gettext_noop("There is no such angel-fund holding."))
        review = HoldingReview.objects.create(
            holding=holding, on=on, note=note.strip(), reviewed_by=actor
        )
        holding.review_due_since, holding.review_reason = None, ""
        if next_round_expected_on is not None:
            holding.next_round_expected_on = next_round_expected_on
        if next_round_expected_fen is not None:
            holding.next_round_expected_fen = next_round_expected_fen
        holding.save()
        record(
            actor=actor,
            action="equity.review_holding",
            object_type="equity.AngelHolding",
            object_id=holding.pk,
            after={"review": review.pk, "on": on.isoformat()},
        )
        return review


def flag_for_review(*, enterprise_id: int, on: dt.date, reason: str) -> int:
    """Flag the active holdings in an enterprise for review (a valuation was recorded): the
    hook the valuations app may call. Returns how many holdings were flagged."""
    return AngelHolding.objects.filter(
        enterprise_id=enterprise_id, status=HoldingStatus.ACTIVE, review_due_since__isnull=True
    ).update(review_due_since=on, review_reason=reason[:200])
