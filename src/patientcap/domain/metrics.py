"""Fund and programme metrics for invest-first projects and the revolving pool (reference:
shared/reference/equity-math.md §11): XIRR, DPI, RVPI, TVPI and gross MOIC per project and for a
portfolio, the pool's recycling rate, its balance over time and the portfolio loss ratio by vintage.

Units: money is `int` fen and every sum of money is an exact integer sum. Ratios are `Decimal`,
rounded half up to `RATIO_PLACES` places. XIRR is computed by pyxirr (ACT/365F), which works in
floats: it receives the int fen and converts them to float for the rate computation only (an
`int` below 2**53 fen, about 90 trillion yuan, converts exactly; larger amounts are refused), and
the rate comes back as a `Decimal` rounded to `RATE_PLACES`. No float ever flows back into an
amount of money, and no sum of money is taken in floats. Flows that never change sign (a total
loss, or nothing paid in) have no rate: XIRR is then None with the reason.

A cash flow is seen from the investor (the pool): an INVESTMENT (a tranche paid to the firm) and
a COST (fees, diligence) are money paid in; a DISTRIBUTION (buyback price, sale proceeds, a
dividend) is money returned. The residual value is the unrealised value at `as_of` (the latest
valuation or round price applied to the holding); for XIRR it is a terminal inflow on `as_of`.

A project paid 2,000,000 yuan, sold a third of its stake for 800,000 yuan and is valued at
1,600,000 yuan:

>>> m = multiples(invested_fen=200_000_000, distributed_fen=80_000_000, residual_fen=160_000_000)
>>> m.dpi, m.rvpi, m.tvpi, m.moic
(Decimal('0.40000000'), Decimal('0.80000000'), Decimal('1.20000000'), Decimal('1.20000000'))
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from enum import StrEnum
from typing import NamedTuple

from pyxirr import xirr as _pyxirr

from patientcap.domain.messages import Invalid, Message, gettext_noop
from patientcap.domain.money import apply_ratio

RATIO_PLACES = 8
RATE_PLACES = 6  # 0.0001% of a year: far below any meaningful difference in a return
_RATE_FORMAT = f".{RATE_PLACES}f"
_EXACT_FLOAT_LIMIT = 2**53  # every int of smaller magnitude is exactly a float


class MetricsError(Invalid):
    """A value the metrics refuse; `message` says why."""


class FlowKind(StrEnum):
    INVESTMENT = "investment"  # paid in, counted as invested and as paid in
    COST = "cost"  # paid in, not invested: separates gross MOIC from TVPI
    DISTRIBUTION = "distribution"  # returned to the pool


_DISTRIBUTION, _INVESTMENT = FlowKind.DISTRIBUTION, FlowKind.INVESTMENT


class _FlowFields(NamedTuple):
    when: dt.date
    kind: FlowKind
    amount_fen: int  # positive; the kind gives the direction


class Flow(_FlowFields):
    """One dated cash flow of a project. An immutable named tuple: a portfolio read from the
    database makes a hundred thousand of them, and a tuple is built several times faster than a
    frozen dataclass."""

    __slots__ = ()

    def __new__(cls, when: dt.date, kind: FlowKind, amount_fen: int) -> Flow:
        if type(amount_fen) is not int or not 0 < amount_fen < _EXACT_FLOAT_LIMIT:
            if not isinstance(amount_fen, int) or amount_fen <= 0:
                raise MetricsError(
                    gettext_noop("A cash flow must be a positive number of fen, not %(amount)s."),
                    {"amount": amount_fen},
                )
            if amount_fen >= _EXACT_FLOAT_LIMIT:
                raise MetricsError(
                    gettext_noop("A cash flow is too large to compute a rate exactly.")
                )
        return super().__new__(cls, when, kind, amount_fen)

    @classmethod
    def trusted(cls, when: dt.date, kind: FlowKind, amount_fen: int) -> Flow:
        """A flow whose source already guarantees what `Flow(...)` checks (a positive int fen
        below 2**53: a column under a CHECK constraint, posted through the ledger, whose single
        amounts stay below 10**15 fen), built without checking it again — a portfolio read from
        the database makes a hundred thousand of them.

        >>> Flow.trusted(dt.date(2025, 1, 1), FlowKind.INVESTMENT, 100) == Flow(
        ...     dt.date(2025, 1, 1), FlowKind.INVESTMENT, 100)
        True
        """
        return tuple.__new__(cls, (when, kind, amount_fen))


@dataclass(frozen=True)
class Project:
    key: str
    flows: tuple[Flow, ...]
    residual_fen: int = 0  # unrealised value at as_of; 0 once exited or written off

    def __post_init__(self) -> None:
        if not isinstance(self.residual_fen, int) or self.residual_fen < 0:
            raise MetricsError(
                gettext_noop("%(key)s: the residual value cannot be negative."), {"key": self.key}
            )


def unrealised_value(shares: int, price_per_share: Decimal) -> int:
    """A holding's residual value at the latest valuation or round price (fen per share), rounded
    once to the fen.

    >>> unrealised_value(142_857, Decimal("700.00009"))
    99999913
    """
    if shares < 0 or price_per_share < 0:
        raise MetricsError(gettext_noop("Shares and a price per share cannot be negative."))
    return apply_ratio(shares, price_per_share)


def ratio(numerator_fen: int, denominator_fen: int) -> Decimal | None:
    """numerator / denominator rounded half up to RATIO_PLACES; None when the denominator is 0.

    >>> ratio(1, 3), ratio(5, 0)
    (Decimal('0.33333333'), None)
    """
    if not denominator_fen:
        return None
    with localcontext(_EXACT):
        return _ratio(numerator_fen, denominator_fen)


_TWICE_SCALE = 2 * 10**RATIO_PLACES
_STEP = Decimal(1).scaleb(-RATIO_PLACES)
# The public entry points compute in this context, whatever the caller's: wide enough that
# multiplying a whole number of units by _STEP never rounds.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _units(numerator: int, denominator: int) -> int:
    """numerator / denominator in units of 10**-RATIO_PLACES, rounded half up: exact integer
    arithmetic (a Decimal division rounds to a context's precision)."""
    return (numerator * _TWICE_SCALE + denominator) // (2 * denominator)


def _decimal(units: int) -> Decimal:
    return Decimal(units) * _STEP  # exact in _EXACT: only the exponent changes


def _ratio(numerator: int, denominator: int) -> Decimal:
    return _decimal(_units(numerator, denominator))


_ZERO = _decimal(0)


# The result values are named tuples, not frozen dataclasses, and the batched path builds them
# with tuple.__new__ (no per-field Python call): it makes three per project.
_new = tuple.__new__


class Multiples(NamedTuple):
    """DPI, RVPI, TVPI (on paid-in) and gross MOIC (on invested). None means undefined: nothing
    was paid in (`reason` says so). DPI and TVPI are each rounded from the exact quotient and
    RVPI = TVPI − DPI, so DPI + RVPI == TVPI exactly and RVPI is within one unit of the last
    place of its own exact quotient."""

    invested_fen: int
    paid_in_fen: int
    distributed_fen: int
    residual_fen: int
    dpi: Decimal | None
    rvpi: Decimal | None
    tvpi: Decimal | None
    moic: Decimal | None

    @property
    def reason(self) -> Message | None:
        if self.paid_in_fen == 0:
            return Message(gettext_noop("Nothing has been paid in: the multiples are undefined."))
        return None


def multiples(
    *, invested_fen: int, distributed_fen: int, residual_fen: int, costs_fen: int = 0
) -> Multiples:
    """The multiples from the totals: paid-in = invested + costs.

    >>> multiples(invested_fen=0, distributed_fen=0, residual_fen=0).dpi is None
    True
    """
    if min(invested_fen, distributed_fen, residual_fen, costs_fen) < 0:
        raise MetricsError(
            gettext_noop("Invested, distributed, residual and costs cannot be negative.")
        )
    with localcontext(_EXACT):
        return _multiples(invested_fen, costs_fen, distributed_fen, residual_fen)


def _multiples(invested: int, costs: int, distributed: int, residual: int) -> Multiples:
    paid_in = invested + costs
    if not paid_in:
        return _new(Multiples, (invested, 0, distributed, residual, None, None, None, None))
    value = distributed + residual
    # The quotients in units of the last place, rounded half up in exact integers; RVPI is
    # TVPI − DPI in those units, so the three add up whatever the caller's decimal context.
    # Nothing distributed (DPI 0, RVPI = TVPI) and nothing left (RVPI 0, TVPI = DPI) are common
    # and share the values rather than build equal ones.
    tvpi_units = _units(value, paid_in)
    tvpi = _decimal(tvpi_units)
    if not distributed:
        dpi, rvpi = _ZERO, tvpi
    elif not residual:
        dpi, rvpi = tvpi, _ZERO
    else:
        dpi_units = _units(distributed, paid_in)
        dpi, rvpi = _decimal(dpi_units), _decimal(tvpi_units - dpi_units)
    # Without costs, invested is paid-in and MOIC is TVPI.
    moic = tvpi if not costs else _ratio(value, invested) if invested else None
    return _new(Multiples, (invested, paid_in, distributed, residual, dpi, rvpi, tvpi, moic))


class Rate(NamedTuple):
    """An annual rate (0.1 = 10% a year) or None with the reason it does not exist."""

    value: Decimal | None
    reason: Message | None = None


_NO_FLOWS = Rate(None, Message(gettext_noop("There are no cash flows.")))
_NOTHING_PAID_IN = Rate(None, Message(gettext_noop("Nothing has been paid in: there is no rate.")))
_TOTAL_LOSS = Rate(
    None,
    Message(
        gettext_noop(
            "Nothing has come back and nothing is left (a total loss): "
            "the flows never change sign, so there is no rate."
        )
    ),
)
_UNSOLVED = Rate(None, Message(gettext_noop("The rate could not be solved for these flows.")))


def _solve(dates: list[dt.date], amounts: list[int], paid_in: int, value: int) -> Rate:
    if not dates:
        return _NO_FLOWS
    if not paid_in:
        return _NOTHING_PAID_IN
    if not value:
        return _TOTAL_LOSS
    rate = _pyxirr(dates, amounts, silent=True)
    if rate is None or rate != rate:  # pyxirr gives None (silent) or NaN when it cannot solve
        return _UNSOLVED
    # The float's exact value, rounded once to RATE_PLACES.
    return _new(Rate, (Decimal(format(rate, _RATE_FORMAT)), None))


class ProjectMetrics(NamedTuple):
    key: str
    multiples: Multiples
    xirr: Rate


def _metrics(
    key: str,
    as_of: dt.date,
    dates: list[dt.date],
    amounts: list[int],
    invested: int,
    costs: int,
    distributed: int,
    residual: int,
) -> ProjectMetrics:
    """The multiples from the totals and the rate from the flows, the residual value joining
    them as a terminal inflow on `as_of` (the lists are extended)."""
    if residual:
        if residual >= _EXACT_FLOAT_LIMIT:
            raise MetricsError(
                gettext_noop("%(key)s: the residual value is too large."), {"key": key}
            )
        dates.append(as_of)
        amounts.append(residual)
    m = _multiples(invested, costs, distributed, residual)
    return _new(
        ProjectMetrics, (key, m, _solve(dates, amounts, m.paid_in_fen, distributed + residual))
    )


def project_metrics(project: Project, as_of: dt.date) -> ProjectMetrics:
    """XIRR and multiples of one project; the residual value is a terminal inflow on `as_of`.

    >>> p = Project("a", (Flow(dt.date(2024, 1, 1), FlowKind.INVESTMENT, 100_000_00),
    ...                   Flow(dt.date(2025, 1, 1), FlowKind.DISTRIBUTION, 110_000_00)))
    >>> r = project_metrics(p, dt.date(2025, 1, 1))
    >>> r.multiples.dpi, r.xirr.value  # 10% over 366 days
    (Decimal('1.10000000'), Decimal('0.099714'))
    """
    return portfolio_metrics((project,), as_of).projects[0]


@dataclass(frozen=True)
class PortfolioMetrics:
    projects: tuple[ProjectMetrics, ...]
    portfolio: ProjectMetrics  # all flows pooled, all residuals as one terminal inflow


def portfolio_metrics(projects: Sequence[Project], as_of: dt.date) -> PortfolioMetrics:
    """Per project metrics and the portfolio's (gross: investment flows of all projects pooled).

    One pass over the flows builds each project's inputs and the portfolio's at once; pyxirr
    has no batched XIRR over many series, so each project is one call to its Rust solver (a
    few microseconds).
    """
    with localcontext(_EXACT):
        return _portfolio_metrics(projects, as_of)


def _portfolio_metrics(projects: Sequence[Project], as_of: dt.date) -> PortfolioMetrics:
    pooled_dates: list[dt.date] = []
    pooled_amounts: list[int] = []
    total_invested = total_costs = total_distributed = total_residual = 0
    results = []
    for p in projects:
        key, residual = p.key, p.residual_fen
        dates: list[dt.date] = []
        amounts: list[int] = []  # paid in negative
        invested = costs = distributed = 0
        for when, kind, amount in p.flows:
            dates.append(when)
            if kind is _DISTRIBUTION:
                distributed += amount
                amounts.append(amount)
            else:
                if kind is _INVESTMENT:
                    invested += amount
                else:
                    costs += amount
                amounts.append(-amount)
        if dates and max(dates) > as_of:
            raise MetricsError(
                gettext_noop("%(key)s: a cash flow on %(when)s is after %(as_of)s."),
                {"key": key, "when": max(dates).isoformat(), "as_of": as_of.isoformat()},
            )
        pooled_dates += dates  # before the residual joins the project's own flows
        pooled_amounts += amounts
        # Plain locals, not a list indexed in a loop: this runs once per project.
        total_invested += invested
        total_costs += costs
        total_distributed += distributed
        total_residual += residual
        results.append(_metrics(key, as_of, dates, amounts, invested, costs, distributed, residual))
    portfolio = _metrics(
        "portfolio", as_of, pooled_dates, pooled_amounts,
        total_invested, total_costs, total_distributed, total_residual,
    )  # fmt: skip
    return PortfolioMetrics(tuple(results), portfolio)


# --- The revolving pool ------------------------------------------------------------------------
def recycling_rate(returned_fen: int, invested_fen: int) -> Decimal | None:
    """Cash returned to the pool ÷ cash deployed (the pool's DPI); None when nothing deployed.

    >>> recycling_rate(3_400_000_000, 6_300_000_000)  # the demo zone: ¥34M back of ¥63M
    Decimal('0.53968254')
    """
    if returned_fen < 0 or invested_fen < 0:
        raise MetricsError(gettext_noop("Returned and invested amounts cannot be negative."))
    return ratio(returned_fen, invested_fen)


@dataclass(frozen=True, slots=True)
class Movement:
    """Money into the pool (positive: fiscal contribution, exit proceeds) or out (negative:
    a tranche paid to a project)."""

    when: dt.date
    amount_fen: int


@dataclass(frozen=True, slots=True)
class BalancePoint:
    when: dt.date
    balance_fen: int  # the balance at the end of `when`, after all its movements


def balance_series(movements: Iterable[Movement], opening_fen: int = 0) -> tuple[BalancePoint, ...]:
    """The pool balance as a step series: one point per date with movements (same-day movements
    netted), in date order. The balance holds from that date until the next point.

    >>> s = balance_series([Movement(dt.date(2024, 3, 1), -50), Movement(dt.date(2024, 1, 1), 100),
    ...                     Movement(dt.date(2024, 3, 1), 20)])
    >>> [(p.when.isoformat(), p.balance_fen) for p in s]
    [('2024-01-01', 100), ('2024-03-01', 70)]
    """
    net: dict[dt.date, int] = {}
    for m in movements:
        net[m.when] = net.get(m.when, 0) + m.amount_fen
    balance = opening_fen
    points = []
    for when in sorted(net):
        balance += net[when]
        points.append(BalancePoint(when, balance))
    return tuple(points)


def balance_at(series: Sequence[BalancePoint], when: dt.date, opening_fen: int = 0) -> int:
    """The balance at the end of `when`, read from a step series (`opening_fen` before it).

    >>> s = balance_series([Movement(dt.date(2024, 1, 1), 100)])
    >>> balance_at(s, dt.date(2023, 12, 31)), balance_at(s, dt.date(2025, 1, 1))
    (0, 100)
    """
    i = bisect_right([p.when for p in series], when)
    return series[i - 1].balance_fen if i else opening_fen


# --- Loss ratio --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Exposure:
    """One project's principal as seen by the loss ratio: its vintage is the year of its first
    disbursement, and `written_off_fen` is what was written off of it, whenever that happened."""

    first_disbursed: dt.date
    invested_fen: int
    written_off_fen: int = 0

    def __post_init__(self) -> None:
        if self.invested_fen < 0 or not 0 <= self.written_off_fen <= self.invested_fen:
            raise MetricsError(
                gettext_noop("A write-off must be between 0 and the amount invested.")
            )


@dataclass(frozen=True, slots=True)
class VintageLoss:
    year: int
    invested_fen: int
    written_off_fen: int
    loss_ratio: Decimal | None


def loss_ratio_by_vintage(exposures: Iterable[Exposure]) -> tuple[VintageLoss, ...]:
    """Portfolio loss ratio BY VINTAGE (cohort): for each year of first disbursement, the
    principal written off of that cohort (at any later date) ÷ the principal invested in it. A
    cohort's ratio rises as its projects are resolved, which is how a loss-tolerance rule
    ("losses ≤ X% of what was deployed") is checked.

    >>> loss_ratio_by_vintage([Exposure(dt.date(2024, 5, 1), 400, 100),
    ...                        Exposure(dt.date(2024, 9, 1), 600)])[0].loss_ratio
    Decimal('0.10000000')
    """
    by_year: dict[int, list[int]] = {}
    for e in exposures:
        sums = by_year.setdefault(e.first_disbursed.year, [0, 0])
        sums[0] += e.invested_fen
        sums[1] += e.written_off_fen
    return tuple(
        VintageLoss(year, invested, lost, ratio(lost, invested))
        for year, (invested, lost) in sorted(by_year.items())
    )
