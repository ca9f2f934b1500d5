"""An invest-first (先投(研)后股) agreement as values, and the rules that govern it (reference:
shared/reference/equity-math.md §7–§8): tranches that never exceed the amount, milestones that
gate the conversion, the conversion terms (variants A–E of `domain.captable.InvestFirst`), the
buyback price with its floor and cap ("适当收益", a reasonable return), the write-off within the
loss tolerance in force (容亏), the disbursement check against the agreement and the pool, and the
realised gain or loss of an exit.

Money is `int` fen; rates and ratios are `Decimal`; every computation is exact (`Fraction`) and
rounded once, half up, to the fen. Refusals raise `InvestFirstError` with a message template.

An agreement of 2,000,000 yuan in two yearly tranches, converting at the next market round with
a 20% discount:

>>> terms = InvestFirst("zone fund", 200_000_000, Variant.NEXT_ROUND, discount=Decimal("0.2"))
>>> a = Agreement(
...     conversion=terms, signed=dt.date(2024, 1, 1), conversion_deadline=dt.date(2027, 1, 1),
...     tranches=(Tranche(dt.date(2024, 1, 15), 100_000_000),
...               Tranche(dt.date(2025, 1, 15), 100_000_000)),
...     milestones=(Milestone("prototype", "units built", "3", dt.date(2025, 1, 1),
...                           "test report"),),
...     buyback=BuybackTerms(Decimal("0.035"), floor_fen=200_000_000, cap_fen=240_000_000))
>>> may_convert(a, dt.date(2025, 6, 1)).allowed
False
>>> met = with_milestone_status(a, "prototype", MilestoneStatus.MET)
>>> may_convert(met, dt.date(2025, 6, 1)).allowed
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from patientcap.domain.captable import InvestFirst, Variant
from patientcap.domain.messages import Invalid, Message, gettext_noop
from patientcap.domain.money import round_fen


class InvestFirstError(Invalid):
    """A term or an act the agreement refuses; `message` says why."""


def _fen(value: Fraction) -> int:
    with localcontext() as ctx:
        ctx.prec = 60
        return round_fen(Decimal(value.numerator) / Decimal(value.denominator))


class MilestoneStatus(StrEnum):
    PENDING = "pending"  # no evidence yet
    SUBMITTED = "submitted"  # evidence submitted, awaiting a reviewer's verdict
    MET = "met"
    FAILED = "failed"


@dataclass(frozen=True)
class Milestone:
    """What is to be achieved, how it is measured, the target, by when, and the evidence the
    reviewer needs (e.g. "prototype", "units built", "3", 2025-01-01, "third-party test report")."""

    what: str
    measure: str
    target: str
    due: dt.date
    evidence_required: str
    status: MilestoneStatus = MilestoneStatus.PENDING

    def __post_init__(self) -> None:
        if not self.what.strip():
            raise InvestFirstError(gettext_noop("A milestone needs a description."))

    def overdue(self, as_of: dt.date) -> bool:
        """Past its due date without a verdict (what the officer's queue shows)."""
        return as_of > self.due and self.status in (
            MilestoneStatus.PENDING,
            MilestoneStatus.SUBMITTED,
        )


@dataclass(frozen=True)
class Tranche:
    due: dt.date
    amount_fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.amount_fen, int) or self.amount_fen <= 0:
            raise InvestFirstError(
                gettext_noop("A tranche must be a positive number of fen, not %(amount)s."),
                {"amount": self.amount_fen},
            )


@dataclass(frozen=True)
class BuybackTerms:
    """Exit by buyback: principal plus simple interest at `annual_rate` over ACT/365 days, held
    between `floor_fen` and `cap_fen` (the reasonable-return band; no cap if None)."""

    annual_rate: Decimal
    floor_fen: int = 0
    cap_fen: int | None = None

    def __post_init__(self) -> None:
        if self.annual_rate < 0:
            raise InvestFirstError(gettext_noop("A buyback interest rate cannot be negative."))
        if self.floor_fen < 0 or (self.cap_fen is not None and self.cap_fen < self.floor_fen):
            raise InvestFirstError(
                gettext_noop("The buyback floor must be at least 0 and not above the cap.")
            )


@dataclass(frozen=True)
class Agreement:
    """The agreement's rules. `conversion` carries the investor, the amount and the conversion
    variant with its parameters (reused from the cap-table engine, which performs the
    conversion). `trigger_event` names an event that allows conversion even before every
    milestone is met (variant A's qualifying round, e.g. "a market round ≥ ¥10M with a lead
    investor"); empty if there is none."""

    conversion: InvestFirst
    signed: dt.date
    conversion_deadline: dt.date
    tranches: tuple[Tranche, ...]
    milestones: tuple[Milestone, ...] = ()
    buyback: BuybackTerms | None = None
    trigger_event: str = ""

    def __post_init__(self) -> None:
        if self.amount_fen <= 0:
            raise InvestFirstError(gettext_noop("An agreement's amount must be positive."))
        total = sum(t.amount_fen for t in self.tranches)
        if total > self.amount_fen:
            raise InvestFirstError(
                gettext_noop(
                    "The tranches add up to %(total)s fen, more than the %(amount)s fen "
                    "of the agreement."
                ),
                {"total": total, "amount": self.amount_fen},
            )
        if any(t.due < self.signed for t in self.tranches):
            raise InvestFirstError(gettext_noop("A tranche cannot be due before the signing."))
        if self.conversion_deadline < self.signed:
            raise InvestFirstError(
                gettext_noop("The conversion deadline cannot precede the signing.")
            )
        whats = [m.what for m in self.milestones]
        if len(set(whats)) != len(whats):
            raise InvestFirstError(gettext_noop("Milestone descriptions must be unique."))

    @property
    def amount_fen(self) -> int:
        return self.conversion.amount_fen

    def convertible(self, disbursed_fen: int) -> InvestFirst:
        """The instrument to convert at a round: the agreement's terms on the money paid in."""
        return replace(self.conversion, amount_fen=disbursed_fen)


def with_milestone_status(agreement: Agreement, what: str, status: MilestoneStatus) -> Agreement:
    """The agreement with milestone `what` in `status` (the application records who gave the
    verdict and on which evidence; this is its effect on the rules)."""
    if what not in {m.what for m in agreement.milestones}:
        raise InvestFirstError(gettext_noop("No milestone %(what)s."), {"what": what})
    milestones = tuple(
        replace(m, status=status) if m.what == what else m for m in agreement.milestones
    )
    return replace(agreement, milestones=milestones)


# --- Conversion gate ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Message, ...] = ()  # why not, one message per obstacle


def may_convert(
    agreement: Agreement, as_of: dt.date, *, trigger_occurred: bool = False
) -> Decision:
    """Conversion is allowed on or before the deadline, for a converting variant, when every
    milestone is met or the agreement's trigger event has occurred.

    >>> terms = InvestFirst("fund", 100, Variant.NO_CONVERSION)
    >>> a = Agreement(terms, dt.date(2024, 1, 1), dt.date(2026, 1, 1), ())
    >>> may_convert(a, dt.date(2025, 1, 1)).reasons[0].text
    'The agreement provides for no conversion (variant E).'
    """
    reasons = []
    if agreement.conversion.variant == Variant.NO_CONVERSION:
        reasons.append(
            Message(gettext_noop("The agreement provides for no conversion (variant E)."))
        )
    if as_of > agreement.conversion_deadline:
        reasons.append(
            Message(
                gettext_noop("The conversion deadline %(deadline)s has passed."),
                {"deadline": agreement.conversion_deadline.isoformat()},
            )
        )
    if trigger_occurred and not agreement.trigger_event:
        reasons.append(Message(gettext_noop("The agreement names no trigger event.")))
    if not (trigger_occurred and agreement.trigger_event):
        reasons += [
            Message(
                gettext_noop("Milestone %(what)s is not met (%(status)s)."),
                {"what": m.what, "status": m.status.value},
            )
            for m in agreement.milestones
            if m.status != MilestoneStatus.MET
        ]
    return Decision(not reasons, tuple(reasons))


def ensure_may_convert(
    agreement: Agreement, as_of: dt.date, *, trigger_occurred: bool = False
) -> None:
    """Raise InvestFirstError with the first reason when conversion is not allowed."""
    decision = may_convert(agreement, as_of, trigger_occurred=trigger_occurred)
    if not decision.allowed:
        first = decision.reasons[0]
        raise InvestFirstError(first.template, first.params)


def may_write_off(agreement: Agreement, as_of: dt.date) -> Decision:
    """Grounds for a write-off (容亏, after the diligence review the application records): a
    milestone has failed, or the conversion deadline has passed.

    >>> terms = InvestFirst("fund", 100, Variant.NEXT_ROUND)
    >>> a = Agreement(terms, dt.date(2024, 1, 1), dt.date(2026, 1, 1), ())
    >>> may_write_off(a, dt.date(2026, 1, 1)).allowed, may_write_off(a, dt.date(2026, 1, 2)).allowed
    (False, True)
    """
    failed = any(m.status == MilestoneStatus.FAILED for m in agreement.milestones)
    if failed or as_of > agreement.conversion_deadline:
        return Decision(True)
    reason = gettext_noop(
        "No milestone has failed and the conversion deadline %(deadline)s has not passed."
    )
    return Decision(
        False, (Message(reason, {"deadline": agreement.conversion_deadline.isoformat()}),)
    )


# --- Buyback ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuybackPrice:
    formula_fen: int  # principal + simple interest, before the band
    price_fen: int  # held within [floor, cap]
    bound: str  # "floor", "cap" or "" when the formula lies within the band


def buyback_price(
    terms: BuybackTerms, disbursements: Sequence[tuple[dt.date, int]], on: dt.date
) -> BuybackPrice:
    """price = max(floor, min(cap, Σ principal × (1 + r × days / 365))), each tranche accruing
    from the day it was paid (ACT/365 fixed), rounded once, half up, to the fen.

    1,000,000 yuan paid on 2024-01-01, bought back on 2025-01-01 (366 days) at 3.5%:

    >>> terms = BuybackTerms(Decimal("0.035"), floor_fen=100_000_000, cap_fen=110_000_000)
    >>> buyback_price(terms, [(dt.date(2024, 1, 1), 100_000_000)], dt.date(2025, 1, 1))
    BuybackPrice(formula_fen=103509589, price_fen=103509589, bound='')
    """
    if not disbursements:
        raise InvestFirstError(gettext_noop("A buyback needs the money paid in."))
    rate = Fraction(terms.annual_rate)
    total = Fraction(0)
    for paid, principal in disbursements:
        if principal <= 0:
            raise InvestFirstError(gettext_noop("A disbursed amount must be positive."))
        if on < paid:
            raise InvestFirstError(gettext_noop("A buyback cannot precede a disbursement."))
        total += principal * (1 + rate * Fraction((on - paid).days, 365))
    formula = _fen(total)
    if formula < terms.floor_fen:
        return BuybackPrice(formula, terms.floor_fen, "floor")
    if terms.cap_fen is not None and formula > terms.cap_fen:
        return BuybackPrice(formula, terms.cap_fen, "cap")
    return BuybackPrice(formula, formula, "")


# --- Write-off (容亏) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class WriteOff:
    loss_fen: int
    loss_ratio: Decimal  # loss ÷ disbursed, exact to 8 places (rounded half up)


def write_off(*, disbursed_fen: int, recovered_fen: int, tolerance: Decimal) -> WriteOff:
    """The loss of a written-off project: disbursed − recovered (a partial recovery, 合理补偿,
    may be 0). It may reach `tolerance` × disbursed (tolerance 1 = 100%) and never more.

    >>> write_off(disbursed_fen=1_000_000, recovered_fen=400_000, tolerance=Decimal("0.6"))
    WriteOff(loss_fen=600000, loss_ratio=Decimal('0.60000000'))
    """
    if not 0 <= tolerance <= 1:
        raise InvestFirstError(gettext_noop("A loss tolerance must be between 0 and 100%%."))
    if disbursed_fen <= 0:
        raise InvestFirstError(gettext_noop("Only money paid in can be written off."))
    if not 0 <= recovered_fen <= disbursed_fen:
        raise InvestFirstError(gettext_noop("A recovery must be between 0 and the money paid in."))
    loss = disbursed_fen - recovered_fen
    if Fraction(loss, disbursed_fen) > Fraction(tolerance):
        raise InvestFirstError(
            gettext_noop(
                "A loss of %(loss)s fen on %(paid)s fen exceeds the loss tolerance of "
                "%(tolerance)s."
            ),
            {"loss": loss, "paid": disbursed_fen, "tolerance": str(tolerance)},
        )
    return WriteOff(loss, _ratio(loss, disbursed_fen))


def _ratio(numerator: int, denominator: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        quotient = Decimal(numerator) / Decimal(denominator)
        return quotient.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)


# --- Disbursement -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disbursement:
    amount_fen: int
    remaining_fen: int  # of the agreement, after this tranche
    pool_available_fen: int  # in the pool, after this tranche


def check_disbursement(
    agreement: Agreement, *, disbursed_fen: int, tranche_fen: int, pool_available_fen: int
) -> Disbursement:
    """A tranche may be paid when it is positive, fits in what the agreement has left and the
    pool can cover it.

    >>> terms = InvestFirst("fund", 1_000, Variant.NEXT_ROUND)
    >>> a = Agreement(terms, dt.date(2024, 1, 1), dt.date(2026, 1, 1), ())
    >>> check_disbursement(a, disbursed_fen=600, tranche_fen=400, pool_available_fen=5_000)
    Disbursement(amount_fen=400, remaining_fen=0, pool_available_fen=4600)
    """
    if not isinstance(tranche_fen, int) or tranche_fen <= 0:
        raise InvestFirstError(gettext_noop("A tranche must be a positive number of fen."))
    remaining = agreement.amount_fen - disbursed_fen
    if tranche_fen > remaining:
        raise InvestFirstError(
            gettext_noop(
                "A tranche of %(tranche)s fen exceeds the %(remaining)s fen left on the agreement."
            ),
            {"tranche": tranche_fen, "remaining": remaining},
        )
    if tranche_fen > pool_available_fen:
        raise InvestFirstError(
            gettext_noop(
                "The pool has %(available)s fen available, less than the tranche of "
                "%(tranche)s fen."
            ),
            {"available": pool_available_fen, "tranche": tranche_fen},
        )
    return Disbursement(tranche_fen, remaining - tranche_fen, pool_available_fen - tranche_fen)


# --- Exit ---------------------------------------------------------------------------------------
class ExitRoute(StrEnum):
    BUYBACK = "buyback"
    SECONDARY = "secondary_sale"
    MERGER = "merger_acquisition"
    IPO = "ipo"


@dataclass(frozen=True)
class ExitResult:
    route: ExitRoute
    cost_fen: int
    proceeds_fen: int
    gain_fen: int  # negative for a realised loss
    multiple: Decimal  # proceeds ÷ cost, 8 places


def realise_exit(route: ExitRoute, *, cost_fen: int, proceeds_fen: int) -> ExitResult:
    """The realised gain (or loss) of an exit: proceeds − the cost of the stake sold.

    >>> realise_exit(ExitRoute.BUYBACK, cost_fen=200_000_000, proceeds_fen=214_000_000).gain_fen
    14000000
    """
    if proceeds_fen < 0:
        raise InvestFirstError(
            gettext_noop("Exit proceeds cannot be negative (%(proceeds)s fen)."),
            {"proceeds": proceeds_fen},
        )
    if cost_fen <= 0:
        raise InvestFirstError(gettext_noop("The cost of the stake sold must be positive."))
    return ExitResult(
        route, cost_fen, proceeds_fen, proceeds_fen - cost_fen, _ratio(proceeds_fen, cost_fen)
    )
