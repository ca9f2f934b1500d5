"""A firm's cap table as immutable values, and the events that change it: priced rounds with an
option-pool top-up, SAFE / note / invest-first conversions, and anti-dilution on a down round.

Units (reference: shared/reference/equity-math.md §2–§5, §7, §10): money is `int` fen, share counts
are `int`, prices and ratios are `Decimal` in fen per share. Rounding: the round price and every
conversion price are rounded half up to `PRICE_PLACES` decimal places; share counts are rounded
DOWN per holder, and the money those fractions of a share stand for is reported as the residue.
Converting instruments receive shadow series of the round's class (same rights, one series per
conversion price), so that a class's preference is proportional to its shares. Nothing here
changes a table in place: each event returns a new `CapTable`.

A priced round, 2,000,000 yuan pre-money on 1,000,000 shares, 500,000 yuan new money:

>>> founders = CapTable(
...     classes=(COMMON,), holdings=(Holding("founder", "common", 1_000_000),))
>>> result = priced_round(
...     founders, series=ShareClass("Series A", preferred=True, seniority=1),
...     pre_money_fen=200_000_000, investments=(Investment("angel", 50_000_000),))
>>> result.price_per_share, result.issued[0].shares
(Decimal('200.00000'), 250000)
>>> ownership(result.table).fully_diluted["angel"]
Decimal('0.20000000')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from math import ceil, floor

from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.money import allocate, round_fen

PRICE_PLACES = 5  # 1984vc rounds the price per share to 5 dp (reference §10)
_PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)
MAX_ITERATIONS = 100  # the round solver's bound, as in 1984vc (reference §2)
POOL_GRANTED = "option pool (granted)"
POOL_UNALLOCATED = "option pool (unallocated)"


class CapTableError(Invalid):
    """An event or a value the cap table refuses; `message` says why."""


class Participation(StrEnum):
    NON_PARTICIPATING = "non_participating"
    PARTICIPATING = "participating"
    CAPPED = "capped"


class AntiDilution(StrEnum):
    NONE = "none"
    BROAD_BASED = "broad_based_weighted_average"
    FULL_RATCHET = "full_ratchet"


def quantize_price(value: Decimal | Fraction) -> Decimal:
    """A price (fen per share) rounded half up to PRICE_PLACES places."""
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(_PRICE_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ShareClass:
    """A share class. Seniority: a higher number is paid first in a liquidation; common is 0.

    The conversion ratio (as-converted common shares per share) is original issue price over
    conversion price; anti-dilution lowers the conversion price and so raises the ratio.
    """

    name: str
    preferred: bool = False
    seniority: int = 0
    preference_multiple: Decimal = Decimal(1)
    participation: Participation = Participation.NON_PARTICIPATING
    cap_multiple: Decimal | None = None
    original_issue_price: Decimal = Decimal(1)
    conversion_price: Decimal = Decimal(1)
    anti_dilution: AntiDilution = AntiDilution.NONE

    def __post_init__(self) -> None:
        if not self.name:
            raise CapTableError(gettext_noop("A share class needs a name."))
        if self.original_issue_price <= 0 or self.conversion_price <= 0:
            raise CapTableError(
                gettext_noop("Share class %(name)s: prices must be positive."), {"name": self.name}
            )
        if self.preference_multiple < 0:
            raise CapTableError(
                gettext_noop("Share class %(name)s: the preference multiple cannot be negative."),
                {"name": self.name},
            )
        capped = self.participation == Participation.CAPPED
        if capped != (self.cap_multiple is not None):
            raise CapTableError(
                gettext_noop(
                    "Share class %(name)s: a cap multiple goes with capped participation only."
                ),
                {"name": self.name},
            )
        if self.cap_multiple is not None and self.cap_multiple < self.preference_multiple:
            raise CapTableError(
                gettext_noop("Share class %(name)s: the cap is below the preference."),
                {"name": self.name},
            )

    @cached_property
    def conversion_ratio(self) -> Decimal:
        return self.original_issue_price / self.conversion_price


COMMON = ShareClass("common")


@dataclass(frozen=True, slots=True)
class Holding:
    """`shares` of one class held by `holder`, who paid (or converted) `invested_fen` for them."""

    holder: str
    share_class: str
    shares: int
    invested_fen: int = 0


@dataclass(frozen=True, slots=True)
class OptionPool:
    granted: int = 0
    unallocated: int = 0


@dataclass(frozen=True)
class CapTable:
    classes: tuple[ShareClass, ...]
    holdings: tuple[Holding, ...] = ()
    pool: OptionPool = OptionPool()

    def __post_init__(self) -> None:
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise CapTableError(gettext_noop("Share class names must be unique."))
        if self.pool.granted < 0 or self.pool.unallocated < 0:
            raise CapTableError(gettext_noop("The option pool cannot be negative."))
        for h in self.holdings:
            if h.share_class not in self.by_name:
                raise CapTableError(
                    gettext_noop("Unknown share class %(name)s."), {"name": h.share_class}
                )
            if h.shares < 0 or h.invested_fen < 0:
                raise CapTableError(
                    gettext_noop("%(holder)s: shares and amounts cannot be negative."),
                    {"holder": h.holder},
                )

    @cached_property
    def by_name(self) -> dict[str, ShareClass]:
        return {c.name: c for c in self.classes}

    def as_converted(self, holding: Holding) -> int:
        """Common shares a holding converts into, rounded down for the holder."""
        ratio = self.by_name[holding.share_class].conversion_ratio
        return holding.shares if ratio == 1 else int(holding.shares * ratio)

    @cached_property
    def issued_as_converted(self) -> int:
        return sum(self.as_converted(h) for h in self.holdings)

    @cached_property
    def fully_diluted(self) -> int:
        """Issued shares as converted, plus the whole option pool (granted and unallocated)."""
        return self.issued_as_converted + self.pool.granted + self.pool.unallocated


def grant_options(table: CapTable, count: int) -> CapTable:
    """Move `count` options from the unallocated pool to the granted ones."""
    if count <= 0 or count > table.pool.unallocated:
        raise CapTableError(
            gettext_noop("Cannot grant %(n)s options from a pool of %(pool)s."),
            {"n": count, "pool": table.pool.unallocated},
        )
    pool = OptionPool(table.pool.granted + count, table.pool.unallocated - count)
    return replace(table, pool=pool)


# --- Instruments that convert at a priced round ------------------------------------------------
@dataclass(frozen=True)
class Investment:
    holder: str
    amount_fen: int


@dataclass(frozen=True)
class PostMoneySafe:
    """YC post-money SAFE: cap price = cap / company capitalisation including every converting
    security (reference §3), so at its cap it owns `amount / cap` just before the round."""

    holder: str
    amount_fen: int
    valuation_cap_fen: int | None = None
    discount: Decimal = Decimal(0)


@dataclass(frozen=True)
class PreMoneySafe:
    """Pre-money SAFE: cap price = cap / capitalisation excluding converting securities but
    including the pool and its top-up (reference §4)."""

    holder: str
    amount_fen: int
    valuation_cap_fen: int | None = None
    discount: Decimal = Decimal(0)


class DayCount(StrEnum):
    ACT_365F = "ACT/365F"
    ACT_360 = "ACT/360"
    THIRTY_360 = "30/360"  # US bond basis (ISDA 30/360)


def year_fraction(start: dt.date, end: dt.date, day_count: DayCount) -> Fraction:
    """Years from `start` to `end` under `day_count`, exactly.

    >>> year_fraction(dt.date(2024, 1, 31), dt.date(2024, 3, 31), DayCount.THIRTY_360)
    Fraction(1, 6)
    """
    if end < start:
        raise CapTableError(gettext_noop("A conversion date cannot precede the issue date."))
    if day_count == DayCount.ACT_365F:
        return Fraction((end - start).days, 365)
    if day_count == DayCount.ACT_360:
        return Fraction((end - start).days, 360)
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
    return Fraction(days, 360)


@dataclass(frozen=True)
class ConvertibleNote:
    """A note with simple interest under a named day count; its cap is pre-money (reference §5).

    >>> note = ConvertibleNote("bank", 10_000_000, Decimal("0.08"), DayCount.ACT_365F,
    ...                        dt.date(2024, 1, 1))
    >>> note.amount_at(dt.date(2025, 1, 1))  # 366 days of 8% on 100,000 yuan
    10802192
    """

    holder: str
    principal_fen: int
    annual_rate: Decimal
    day_count: DayCount
    issue_date: dt.date
    valuation_cap_fen: int | None = None
    discount: Decimal = Decimal(0)

    def amount_at(self, when: dt.date) -> int:
        t = year_fraction(self.issue_date, when, self.day_count)
        exact = self.principal_fen * (1 + Fraction(self.annual_rate) * t)
        with localcontext() as ctx:
            ctx.prec = 60
            return round_fen(Decimal(exact.numerator) / Decimal(exact.denominator))


class Variant(StrEnum):
    """Invest-first (先投后股) conversion variants A–E (reference §7.3)."""

    NEXT_ROUND = "A"  # S = I / (PPS × (1 − d))
    AGREED_VALUATION = "B"  # stake = I / V_post_agreed
    FIXED_PERCENTAGE = "C"  # S = x · FD / (1 − x)
    CAPPED = "D"  # price = min(agreed-valuation price, PPS × (1 − d))
    NO_CONVERSION = "E"


@dataclass(frozen=True)
class InvestFirst:
    holder: str
    amount_fen: int
    variant: Variant
    discount: Decimal = Decimal(0)
    agreed_valuation_fen: int | None = None
    fixed_fraction: Decimal | None = None

    def __post_init__(self) -> None:
        needs_valuation = self.variant in (Variant.AGREED_VALUATION, Variant.CAPPED)
        if needs_valuation and not (self.agreed_valuation_fen and self.agreed_valuation_fen > 0):
            raise CapTableError(
                gettext_noop("Variant %(v)s needs a positive agreed valuation."),
                {"v": self.variant.value},
            )
        if self.variant == Variant.FIXED_PERCENTAGE and not (
            self.fixed_fraction is not None and 0 < self.fixed_fraction < 1
        ):
            raise CapTableError(gettext_noop("Variant C needs a percentage between 0 and 100%%."))


Convertible = PostMoneySafe | PreMoneySafe | ConvertibleNote | InvestFirst


@dataclass(frozen=True)
class Issue:
    """Shares issued to one investor or converting holder in a round."""

    holder: str
    amount_fen: int
    price: Decimal | None  # None for a fixed-percentage conversion or no conversion
    shares: int
    residue_fen: Decimal  # money the fraction of a share rounded away stands for


@dataclass(frozen=True)
class Adjustment:
    """An anti-dilution change of one class's conversion price (OCF
    StockClassConversionRatioAdjustment)."""

    share_class: str
    method: AntiDilution
    old_price: Decimal
    new_price: Decimal


@dataclass(frozen=True)
class RoundResult:
    table: CapTable
    price_per_share: Decimal
    pool_increase: int
    fully_diluted_pre: int
    fully_diluted_post: int
    issued: tuple[Issue, ...]
    conversions: tuple[Issue, ...]
    adjustments: tuple[Adjustment, ...] = ()
    iterations: int = 1
    residue_fen: Decimal = field(init=False)

    def __post_init__(self) -> None:
        total = sum((i.residue_fen for i in self.issued + self.conversions), Decimal(0))
        object.__setattr__(self, "residue_fen", total)


def shares_for(amount_fen: int, price: Decimal) -> int:
    """Shares `amount_fen` buys at `price` (PRICE_PLACES places), rounded down, exactly."""
    scaled = int(price.scaleb(PRICE_PLACES))
    if scaled <= 0:
        raise CapTableError(gettext_noop("A price per share must be positive."))
    return amount_fen * 10**PRICE_PLACES // scaled


def _positive(amount: int, what: str) -> None:
    if not isinstance(amount, int) or amount <= 0:
        raise CapTableError(
            gettext_noop("%(what)s must be a positive number of fen, not %(amount)s."),
            {"what": what, "amount": amount},
        )


def _amount(c: Convertible, when: dt.date | None) -> int:
    if isinstance(c, ConvertibleNote):
        if when is None:
            raise CapTableError(gettext_noop("Converting a note needs the conversion date."))
        return c.amount_at(when)
    return c.amount_fen


def _valuation_cap(c: Convertible) -> int | None:
    """The post-money valuation an instrument owns `amount / valuation` of, if it has one."""
    if isinstance(c, PostMoneySafe):
        return c.valuation_cap_fen
    if isinstance(c, InvestFirst) and c.variant in (Variant.AGREED_VALUATION, Variant.CAPPED):
        return c.agreed_valuation_fen
    return None


def _market_price(c: Convertible, pps: Decimal, pre_cap: int) -> Decimal | None:
    """The conversion price apart from a post-money cap: the discounted round price, lowered to
    a pre-money cap price; None where only the post-money valuation counts (variant B)."""
    if isinstance(c, InvestFirst):
        if c.variant in (Variant.NEXT_ROUND, Variant.CAPPED):
            return quantize_price(pps * (1 - c.discount))
        return None
    price = pps * (1 - c.discount)
    if not isinstance(c, PostMoneySafe) and c.valuation_cap_fen is not None:
        price = min(price, Decimal(c.valuation_cap_fen) / pre_cap)
    return quantize_price(price)


def _cap_price(cap: int, post_cap: Fraction) -> Decimal:
    return quantize_price(cap / post_cap)


def _bound(cap: int | None, market: Decimal | None, post_cap: Fraction) -> bool:
    """Whether an instrument converts at its post-money cap (its cap price is the lower)."""
    return bool(cap) and (market is None or _cap_price(cap or 1, post_cap) <= market)


def _pool_increase(p: Fraction, base: int, pool_old: int, v_pre: int, v_post: int) -> int:
    """X = max(0, (p·F0·V_post − pool_old·V_pre) / (V_pre − p·V_post)), rounded up (§2)."""
    if p == 0:
        return 0
    x = (p * base * v_post - pool_old * v_pre) / (v_pre - p * v_post)
    return max(0, ceil(x))


def priced_round(
    table: CapTable,
    *,
    series: ShareClass,
    pre_money_fen: int,
    investments: Sequence[Investment],
    pool_target: Decimal | None = None,
    convertibles: Sequence[Convertible] = (),
    conversion_date: dt.date | None = None,
) -> RoundResult:
    """A priced round: PPS = V_pre / FD_pre, where FD_pre includes the shares of converting
    instruments and the top-up that brings the unallocated pool to `pool_target` of FD_post (the
    pool shuffle; granted options count in FD but not towards the target). Solved by
    fixed-point iteration on the share count (at most MAX_ITERATIONS). `series` gives the new
    class's rights; its prices are set to the round price. Existing classes with anti-dilution
    are adjusted when the round price is below their conversion price.
    """
    _positive(pre_money_fen, "The pre-money valuation")
    if not investments:
        raise CapTableError(gettext_noop("A priced round needs at least one investment."))
    for inv in investments:
        _positive(inv.amount_fen, f"The investment of {inv.holder}")
    if series.name in table.by_name:
        raise CapTableError(
            gettext_noop("Share class %(name)s already exists."), {"name": series.name}
        )
    amounts = [_amount(c, conversion_date) for c in convertibles]
    for c, a in zip(convertibles, amounts, strict=True):
        _positive(a, f"The convertible of {c.holder}")
        if not 0 <= getattr(c, "discount", 0) < 1:
            raise CapTableError(
                gettext_noop("%(holder)s: a discount must be at least 0 and below 100%%."),
                {"holder": c.holder},
            )
        cap = c.agreed_valuation_fen if isinstance(c, InvestFirst) else c.valuation_cap_fen
        if cap is not None and cap <= 0:
            raise CapTableError(
                gettext_noop("%(holder)s: a valuation cap must be positive."), {"holder": c.holder}
            )
    caps = [_valuation_cap(c) for c in convertibles]
    if sum(Fraction(a, cap) for a, cap in zip(amounts, caps, strict=True) if cap) >= 1:
        raise CapTableError(
            gettext_noop("Post-money instruments would own 100%% or more at their valuations.")
        )
    p = Fraction(pool_target or 0)
    new_money = sum(i.amount_fen for i in investments)
    v_post = pre_money_fen + new_money
    if not 0 <= p < 1 or p * v_post >= pre_money_fen:
        raise CapTableError(
            gettext_noop("A pool target of %(p)s cannot be reached at this valuation."),
            {"p": str(pool_target)},
        )
    f0 = table.fully_diluted
    if f0 <= 0:
        raise CapTableError(gettext_noop("A priced round needs shares before the round."))
    shares = [0] * len(convertibles)
    prices: list[Decimal | None] = [None] * len(convertibles)
    post_cap = Fraction(f0)
    pps = Decimal(0)
    pool_increase = 0
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - reported after the loop
        converted = sum(shares)
        pool_increase = _pool_increase(
            p, f0 + converted, table.pool.unallocated, pre_money_fen, v_post
        )
        pps = quantize_price(Fraction(pre_money_fen, f0 + converted + pool_increase))
        if pps <= 0:
            raise CapTableError(gettext_noop("The price per share rounds to zero."))
        pre_cap = f0 + pool_increase
        market = [_market_price(c, pps, pre_cap) for c in convertibles]
        # Post-money capitalisation: the instruments bound by their cap own exactly amount/cap
        # of it, so it is solved in closed form rather than iterated (which rounds short).
        bound = [i for i, cap in enumerate(caps) if _bound(cap, market[i], post_cap)]
        others = converted - sum(shares[i] for i in bound)
        stake = sum((Fraction(amounts[i], caps[i] or 1) for i in bound), Fraction(0))
        post_cap = (f0 + others) / (1 - stake)
        new, prices = [], []
        for i, (c, a) in enumerate(zip(convertibles, amounts, strict=True)):
            price, cap = market[i], caps[i]
            if cap:
                price = (
                    _cap_price(cap, post_cap)
                    if price is None
                    else min(price, _cap_price(cap, post_cap))
                )
            prices.append(price)
            if price is not None:
                new.append(shares_for(a, price))
            elif isinstance(c, InvestFirst) and c.variant == Variant.FIXED_PERCENTAGE:
                x = Fraction(c.fixed_fraction or 0)
                new.append(floor(x * (pre_cap + converted - shares[i]) / (1 - x)))
            else:
                new.append(0)
        if new == shares:
            break
        shares = new
    conversions = [
        Issue(c.holder, a, price, s, Decimal(a) - s * price if price else Decimal(0))
        for c, a, s, price in zip(convertibles, amounts, shares, prices, strict=True)
    ]
    issued = []
    for inv in investments:
        n = shares_for(inv.amount_fen, pps)
        if n <= 0:
            raise CapTableError(
                gettext_noop("%(holder)s would receive no shares at this price."),
                {"holder": inv.holder},
            )
        issued.append(Issue(inv.holder, inv.amount_fen, pps, n, inv.amount_fen - n * pps))
    new_class = replace(series, original_issue_price=pps, conversion_price=pps)
    shadows = _shadow_series(series, conversions)
    fd_pre = f0 + sum(shares) + pool_increase
    fd_post = fd_pre + sum(i.shares for i in issued)
    adjusted, adjustments = _anti_dilution(table, pps, f0, issued + conversions)
    holdings = (
        table.holdings
        + tuple(Holding(i.holder, new_class.name, i.shares, i.amount_fen) for i in issued)
        + tuple(
            Holding(i.holder, shadows[_effective_price(i)].name, i.shares, i.amount_fen)
            for i in conversions
            if i.shares > 0
        )
    )
    pool = replace(table.pool, unallocated=table.pool.unallocated + pool_increase)
    return RoundResult(
        table=CapTable((*adjusted, new_class, *shadows.values()), holdings, pool),
        price_per_share=pps,
        pool_increase=pool_increase,
        fully_diluted_pre=fd_pre,
        fully_diluted_post=fd_post,
        issued=tuple(issued),
        conversions=tuple(conversions),
        adjustments=adjustments,
        iterations=iterations,
    )


def _effective_price(issue: Issue) -> Decimal:
    """What a converting holder paid a share: its conversion price, or for a fixed-percentage
    conversion its amount over its shares."""
    return issue.price or quantize_price(Fraction(issue.amount_fen, issue.shares))


def _shadow_series(series: ShareClass, conversions: Sequence[Issue]) -> dict[Decimal, ShareClass]:
    """One shadow series per conversion price: the round's rights, with the conversion price as
    original issue price, so a preference stays proportional to shares within every class and a
    class's choice to convert is the same for all its holders."""
    prices = sorted({_effective_price(i) for i in conversions if i.shares > 0}, reverse=True)
    return {
        price: replace(
            series,
            name=f"{series.name} (shadow {n})",
            original_issue_price=price,
            conversion_price=price,
        )
        for n, price in enumerate(prices, start=1)
    }


# --- Anti-dilution (reference §10) -------------------------------------------------------------
def weighted_average_price(cp1: Decimal, a: int, new_money_fen: int, c: int) -> Decimal:
    """Broad-based weighted average: CP2 = CP1 × (A + B) / (A + C), B = new money / CP1.

    >>> weighted_average_price(Decimal(100), 1_000_000, 5_000_000, 100_000)
    Decimal('95.45455')
    """
    if a <= 0 or c <= 0 or new_money_fen < 0 or cp1 <= 0:
        raise CapTableError(gettext_noop("Anti-dilution needs positive share counts and price."))
    b = Fraction(new_money_fen) / Fraction(cp1)
    return quantize_price(Fraction(cp1) * (a + b) / (a + c))


def _anti_dilution(
    table: CapTable, pps: Decimal, fd_before: int, issues: Sequence[Issue]
) -> tuple[tuple[ShareClass, ...], tuple[Adjustment, ...]]:
    """Lower the conversion price of protected classes above the new price. A = fully diluted
    shares before the round; B counts all consideration (new money and converted amounts);
    C = all shares of the new series."""
    money = sum(i.amount_fen for i in issues)
    issued = sum(i.shares for i in issues)
    classes, adjustments = [], []
    for cls in table.classes:
        new_price = cls.conversion_price
        if cls.conversion_price > pps and issued > 0:
            if cls.anti_dilution == AntiDilution.FULL_RATCHET:
                new_price = pps
            elif cls.anti_dilution == AntiDilution.BROAD_BASED:
                new_price = weighted_average_price(cls.conversion_price, fd_before, money, issued)
        if new_price != cls.conversion_price:
            adjustments.append(
                Adjustment(cls.name, cls.anti_dilution, cls.conversion_price, new_price)
            )
            cls = replace(cls, conversion_price=new_price)
        classes.append(cls)
    return tuple(classes), tuple(adjustments)


# --- Ownership --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ownership:
    """Fractions per holder that sum to exactly 1 at `places` decimal places. The units of the
    last place handed out by largest remainder are reported as the residue."""

    fully_diluted: dict[str, Decimal]
    issued: dict[str, Decimal]
    places: int
    fully_diluted_residue: int
    issued_residue: int


def _shares_of(table: CapTable) -> dict[str, int]:
    totals: dict[str, int] = {}
    for h in table.holdings:
        totals[h.holder] = totals.get(h.holder, 0) + table.as_converted(h)
    return totals


def _fractions(weights: dict[str, int], places: int) -> tuple[dict[str, Decimal], int]:
    names = [n for n, w in weights.items() if w > 0]
    if not names:
        return {}, 0
    unit = 10**places
    ws = [weights[n] for n in names]
    parts = allocate(unit, ws)
    total = sum(ws)
    residue = unit - sum(unit * w // total for w in ws)
    quantum = Decimal(1).scaleb(-places)
    return {
        n: (Decimal(v) * quantum).quantize(quantum) for n, v in zip(names, parts, strict=True)
    }, residue


def ownership(table: CapTable, places: int = 8) -> Ownership:
    """Fully diluted (as-converted shares plus the option pool) and issued (as-converted shares
    only) fractions per holder, in holder order of first appearance; zero holders are left out."""
    by_holder = _shares_of(table)
    fd = dict(by_holder)
    fd[POOL_GRANTED] = table.pool.granted
    fd[POOL_UNALLOCATED] = table.pool.unallocated
    fd_fractions, fd_residue = _fractions(fd, places)
    issued_fractions, issued_residue = _fractions(by_holder, places)
    return Ownership(fd_fractions, issued_fractions, places, fd_residue, issued_residue)


# --- Conversion outside a priced round, and transfers -------------------------------------------
STAKE_PLACES = 10  # a holder's stake as a fraction of the fully diluted company


@dataclass(frozen=True)
class Conversion:
    """Invest-first money converted on its own (not as part of a round being priced): the new
    table, the issue (price, shares, residue), the class the shares went into, and the holder's
    new shares as a fraction of the fully diluted company after the conversion."""

    table: CapTable
    issue: Issue
    share_class: str
    stake: Decimal


def _fraction(value: Fraction, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _agreed_price(table: CapTable, instrument: InvestFirst) -> Decimal:
    """The price at which `amount` owns `amount / V_agreed` of the company after conversion:
    (V_agreed − amount) / FD before (the agreed valuation is post-money)."""
    valuation = instrument.agreed_valuation_fen or 0
    if valuation <= instrument.amount_fen:
        raise CapTableError(
            gettext_noop("%(holder)s: the agreed valuation must exceed the amount converted."),
            {"holder": instrument.holder},
        )
    return quantize_price(Fraction(valuation - instrument.amount_fen, table.fully_diluted))


def convert_outside_round(
    table: CapTable,
    instrument: InvestFirst,
    *,
    round_price: Decimal | None = None,
    round_class: ShareClass | None = None,
) -> Conversion:
    """Convert invest-first money on a table that is already priced (reference §7.3).

    - A (next round): at the round's price less the discount, into a shadow series of the
      round's class; needs `round_price` and `round_class`.
    - D (capped): at the lower of that and the agreed-valuation price; needs the round too.
    - B (agreed valuation): standalone, at (V_agreed − I) / FD, into common shares, so that the
      holder owns I / V_agreed of the company after conversion (to the share).
    - C (fixed percentage): standalone, S = x · FD / (1 − x) common shares, no price.
    - E (no conversion): refused.
    Shares are rounded down; the money the fraction stands for is the residue. No anti-dilution
    is triggered: the consideration was received when the money was invested.
    """
    _positive(instrument.amount_fen, f"The invest-first money of {instrument.holder}")
    if not 0 <= instrument.discount < 1:
        raise CapTableError(
            gettext_noop("%(holder)s: a discount must be at least 0 and below 100%%."),
            {"holder": instrument.holder},
        )
    if instrument.variant == Variant.NO_CONVERSION:
        raise CapTableError(gettext_noop("Variant E money does not convert into shares."))
    if table.fully_diluted <= 0:
        raise CapTableError(gettext_noop("A conversion needs shares before it."))
    needs_round = instrument.variant in (Variant.NEXT_ROUND, Variant.CAPPED)
    if needs_round and (round_price is None or round_class is None):
        raise CapTableError(
            gettext_noop("Variant %(v)s converts at the price of a priced round; name the round."),
            {"v": instrument.variant.value},
        )
    price: Decimal | None
    if instrument.variant == Variant.FIXED_PERCENTAGE:
        x = Fraction(instrument.fixed_fraction or 0)
        shares = floor(x * table.fully_diluted / (1 - x))
        price = None
    else:
        if needs_round:
            if round_price is None or round_price <= 0:
                raise CapTableError(gettext_noop("A price per share must be positive."))
            price = quantize_price(round_price * (1 - instrument.discount))
            if instrument.variant == Variant.CAPPED:
                price = min(price, _agreed_price(table, instrument))
        else:
            price = _agreed_price(table, instrument)
        if price <= 0:
            raise CapTableError(gettext_noop("The price per share rounds to zero."))
        shares = shares_for(instrument.amount_fen, price)
    if shares <= 0:
        raise CapTableError(
            gettext_noop("%(holder)s would receive no shares at this price."),
            {"holder": instrument.holder},
        )
    residue = Decimal(instrument.amount_fen) - shares * price if price else Decimal(0)
    issue = Issue(instrument.holder, instrument.amount_fen, price, shares, residue)
    classes = table.classes
    if needs_round and round_class is not None and price is not None:
        name = f"{round_class.name} (converted at {price})"
        if name not in table.by_name:
            shadow = replace(
                round_class, name=name, original_issue_price=price, conversion_price=price
            )
            classes = (*classes, shadow)
    else:
        name = COMMON.name
        if name not in table.by_name:
            classes = (*classes, COMMON)
    holding = Holding(instrument.holder, name, shares, instrument.amount_fen)
    after = CapTable(classes, (*table.holdings, holding), table.pool)
    stake = _fraction(Fraction(shares, after.fully_diluted), STAKE_PLACES)
    return Conversion(after, issue, name, stake)


def transfer(
    table: CapTable, *, holder: str, buyer: str, shares: int, share_class: str | None = None
) -> CapTable:
    """`holder` sells `shares` to `buyer` (a secondary sale, OCF StockTransfer). Shares are taken
    from the holder's holdings in order (of `share_class` only, if named); the amount invested
    moves with them pro rata (rounded down, so the preference of what the seller keeps is never
    overstated), so the buyer steps into the seller's preference for those shares."""
    if not buyer or buyer == holder:
        raise CapTableError(gettext_noop("A transfer needs a buyer other than the seller."))
    if not isinstance(shares, int) or shares <= 0:
        raise CapTableError(
            gettext_noop("A transfer must move a positive number of shares, not %(n)s."),
            {"n": shares},
        )
    eligible = [
        i
        for i, h in enumerate(table.holdings)
        if h.holder == holder and (share_class is None or h.share_class == share_class)
    ]
    held = sum(table.holdings[i].shares for i in eligible)
    if shares > held:
        raise CapTableError(
            gettext_noop("%(holder)s holds %(held)s shares and cannot transfer %(n)s."),
            {"holder": holder, "held": held, "n": shares},
        )
    holdings = list(table.holdings)
    bought: list[Holding] = []
    left = shares
    for i in eligible:
        if left == 0:
            break
        h = holdings[i]
        n = min(left, h.shares)
        moved = h.invested_fen if n == h.shares else h.invested_fen * n // h.shares
        holdings[i] = replace(h, shares=h.shares - n, invested_fen=h.invested_fen - moved)
        bought.append(Holding(buyer, h.share_class, n, moved))
        left -= n
    kept = tuple(h for h in holdings if h.shares > 0)
    return replace(table, holdings=kept + tuple(bought))
