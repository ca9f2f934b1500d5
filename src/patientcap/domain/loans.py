"""Loans: repayment schedules, repayment allocation, days past due and the five-category
classification (五级分类).

Schedules are monthly, with due dates from a first payment date by calendar-month arithmetic
(a loan paid on the 31st falls due on the last day of shorter months, and back on the 31st after).
Three methods: equal instalments (等额本息), equal principal (等额本金) and interest-only with a
bullet. Interest per period is balance × period rate, rounded to the fen by the one rule
(`money.round_fen`); the last instalment takes whatever principal is left, so the principal parts
add up to the loan exactly and the balance ends at zero.

Day count: the default is `MONTHLY` (period rate = annual rate / 12), what Chinese banks use for
等额本息 and 等额本金 loans; ACT/365F, ACT/360 and 30/360 count the days of each period (from the
disbursement date for the first). With a day count, the 等额本息 payment is still the level
payment at annual/12 and each period's principal is that payment less the period's interest.
`schedules` computes many loans at once (numpy int64, the same half-up rounding), identical to
`schedule` loan by loan.

>>> s = schedule(principal_fen=1_200_000, annual_rate=Decimal("0.12"), months=12,
...     method=Method.EQUAL_PRINCIPAL, start=date(2025, 1, 15), first_due=date(2025, 2, 15))
>>> s[0]
Instalment(number=1, due=datetime.date(2025, 2, 15), principal_fen=100000, interest_fen=12000, balance_fen=1100000)
"""  # noqa: E501

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from patientcap.domain.money import Fen, round_fen


class LoanError(ValueError):
    """Loan terms, a repayment or a classification that cannot be computed as asked."""


class Method(StrEnum):
    EQUAL_INSTALMENTS = "equal_instalments"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY_BULLET = "interest_only_bullet"  # 先息后本


class DayCount(StrEnum):
    MONTHLY = "annual/12"  # the default for Chinese bank loans
    ACT_365F = "ACT/365F"
    ACT_360 = "ACT/360"
    THIRTY_360 = "30/360"


@dataclass(frozen=True)
class Instalment:
    number: int
    due: date
    principal_fen: Fen
    interest_fen: Fen
    balance_fen: Fen  # principal outstanding after this instalment

    @property
    def total_fen(self) -> Fen:
        return self.principal_fen + self.interest_fen


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(anchor: date, months: int) -> date:
    """`anchor` moved by whole calendar months, the day clipped to the month's end.

    >>> add_months(date(2025, 1, 31), 1), add_months(date(2025, 1, 31), 2)
    (datetime.date(2025, 2, 28), datetime.date(2025, 3, 31))
    """
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]
    return date(year, month, min(anchor.day, last))


def due_dates(first_due: date, months: int) -> list[date]:
    """Monthly due dates, each counted from the first (so 31 Jan → 28 Feb → 31 Mar)."""
    return [add_months(first_due, i) for i in range(months)]


def period_days(start: date, end: date, day_count: DayCount) -> int:
    """Days in [start, end) under the convention (30/360: ISDA bond basis)."""
    if day_count is DayCount.THIRTY_360:
        d1 = min(start.day, 30)
        d2 = 30 if end.day == 31 and d1 == 30 else end.day
        return 360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1
    return (end - start).days


def period_interest(
    balance_fen: Fen, annual_rate: Decimal, start: date, end: date, day_count: DayCount
) -> Fen:
    """Interest on `balance_fen` for the period [start, end), rounded once by the one rule.
    The product is formed exactly and divided once (by 12, 365 or 360), so a half fen is a
    half fen and rounds up.

    >>> period_interest(1_000_000, Decimal("0.0365"), date(2025, 1, 1), date(2025, 2, 1),
    ...     DayCount.ACT_365F)  # 10,000 yuan for 31 days at 3.65%
    3100
    """
    with localcontext() as ctx:
        ctx.prec = _PREC
        numerator, divisor = _rate_parts(annual_rate, start, end, day_count)
        return round_fen(balance_fen * numerator / divisor)


_PREC = 60  # digits enough for any balance × rate × days exactly: only round_fen rounds


def _rate_parts(
    annual_rate: Decimal, start: date, end: date, day_count: DayCount
) -> tuple[Decimal, int]:
    """The period rate as an exact numerator and the divisor it is divided by last."""
    if day_count is DayCount.MONTHLY:
        return annual_rate, 12
    year = 365 if day_count is DayCount.ACT_365F else 360
    return annual_rate * period_days(start, end, day_count), year


def level_payment(principal_fen: Fen, annual_rate: Decimal, months: int) -> Fen:
    """The 等额本息 monthly payment P·r·(1+r)^n / ((1+r)^n − 1), r = annual / 12, to the fen.

    >>> level_payment(100_000_000, Decimal("0.0435"), 12)  # 1M yuan, 4.35%, 1 y: 85,309.90
    8530990
    """
    if annual_rate == 0:
        return round_fen(Decimal(principal_fen) / months)
    with localcontext() as ctx:
        ctx.prec = 50
        r = annual_rate / 12
        growth = (1 + r) ** months
        return round_fen(principal_fen * r * growth / (growth - 1))


def schedule(
    *,
    principal_fen: Fen,
    annual_rate: Decimal,
    months: int,
    method: Method,
    start: date,
    first_due: date,
    day_count: DayCount = DayCount.MONTHLY,
) -> tuple[Instalment, ...]:
    """The repayment schedule of a loan disbursed on `start`, due monthly from `first_due`.

    Worked example (等额本息, 10,000 yuan at 12% over 3 months): payment 3,400.22; interest
    100.00, 67.00, 33.67; the last instalment takes the 3,366.56 principal left.

    >>> s = schedule(principal_fen=1_000_000, annual_rate=Decimal("0.12"), months=3,
    ...     method=Method.EQUAL_INSTALMENTS, start=date(2025, 1, 1), first_due=date(2025, 2, 1))
    >>> [(i.principal_fen, i.interest_fen) for i in s]
    [(330022, 10000), (333322, 6700), (336656, 3367)]
    """
    _check_terms(principal_fen, annual_rate, months, start, first_due)
    dues = due_dates(first_due, months)
    level = method is Method.EQUAL_INSTALMENTS
    payment = level_payment(principal_fen, annual_rate, months) if level else 0
    even_principal = principal_fen // months
    balance = principal_fen
    out = []
    with localcontext() as ctx:
        ctx.prec = _PREC
        for number, (previous, due) in enumerate(
            zip([start, *dues[:-1]], dues, strict=True), start=1
        ):
            numerator, divisor = _rate_parts(annual_rate, previous, due, day_count)
            interest = round_fen(balance * numerator / divisor)
            if number == months:
                principal = balance
            elif method is Method.EQUAL_INSTALMENTS:
                principal = min(max(payment - interest, 0), balance)
            elif method is Method.EQUAL_PRINCIPAL:
                principal = even_principal
            else:
                principal = 0
            balance -= principal
            out.append(Instalment(number, due, principal, interest, balance))
    return tuple(out)


def _check_terms(
    principal_fen: Fen, annual_rate: Decimal, months: int, start: date, first_due: date
) -> None:
    if not isinstance(principal_fen, int) or principal_fen <= 0:
        raise LoanError(f"the loan amount must be a positive number of fen, not {principal_fen!r}")
    if not isinstance(annual_rate, Decimal) or annual_rate < 0:
        raise LoanError(f"the annual rate must be a Decimal ≥ 0, not {annual_rate!r}")
    if months < 1:
        raise LoanError(f"a schedule needs at least one month, not {months}")
    if first_due <= start:
        raise LoanError(f"the first payment ({first_due}) must fall after disbursement ({start})")


# --- Many schedules at once ---------------------------------------------------------------
class Schedules(NamedTuple):
    """Schedules of n loans as (n, longest tenor) arrays; cells past a loan's tenor are 0 (NaT
    for dates). Row i, column k equals instalment k + 1 of `schedule(...)` for loan i."""

    due: np.ndarray  # datetime64[D]
    principal_fen: np.ndarray  # int64
    interest_fen: np.ndarray  # int64
    balance_fen: np.ndarray  # int64


def schedules(
    *,
    principal_fen: np.ndarray,
    annual_rate: Sequence[Decimal],
    months: np.ndarray,
    method: Method,
    start: np.ndarray,
    first_due: np.ndarray,
    day_count: DayCount = DayCount.MONTHLY,
) -> Schedules:
    """`schedule` for many loans of one method and day count, vectorised over the loans with
    numpy int64 and the same rounding (half up to the fen of the exact interest), so the
    figures are identical to the one-loan path."""
    principal = np.asarray(principal_fen, np.int64)
    tenor = np.asarray(months, np.int64)
    starts = np.asarray(start, "datetime64[D]")
    firsts = np.asarray(first_due, "datetime64[D]")
    n = principal.shape[0]
    if len(annual_rate) != n or tenor.shape != (n,) or starts.shape != (n,) or firsts.shape != (n,):
        raise LoanError("every loan needs an amount, a rate, a tenor, a start and a first due date")
    for i in range(n):
        _check_terms(
            int(principal[i]), annual_rate[i], int(tenor[i]), starts[i].item(), firsts[i].item()
        )
    ratios = [r.as_integer_ratio() for r in annual_rate]
    num = np.array([a for a, _ in ratios], np.int64)
    den = np.array([b for _, b in ratios], np.int64)
    divisor = {DayCount.MONTHLY: 12, DayCount.ACT_365F: 365}.get(day_count, 360)
    width = int(tenor.max()) if n else 0
    most_days = (
        1
        if day_count is DayCount.MONTHLY
        else 62 + int((firsts - starts).astype(np.int64).max(initial=0))
    )
    if (
        n
        and 2 * int(principal.max()) * int(num.max()) * most_days + int(den.max()) * divisor
        >= 2**62
    ):
        raise LoanError("amounts or rates too large for the vectorised path; use schedule")

    dues = _due_grid(firsts, width)
    previous = np.concatenate([starts[:, None], dues[:, :-1]], axis=1)
    if day_count is DayCount.MONTHLY:
        days = np.ones((n, width), np.int64)
    elif day_count is DayCount.THIRTY_360:
        days = _thirty_360(previous, dues)
    else:
        days = (dues - previous).astype(np.int64)
    payment = np.array(
        [
            level_payment(int(p), r, int(m))
            for p, r, m in zip(principal, annual_rate, tenor, strict=True)
        ]
        if method is Method.EQUAL_INSTALMENTS
        else np.zeros(n),
        np.int64,
    )
    even = principal // tenor
    balance = principal.copy()
    out_p = np.zeros((n, width), np.int64)
    out_i = np.zeros((n, width), np.int64)
    out_b = np.zeros((n, width), np.int64)
    scale = den * divisor  # interest = balance × num × days / scale, rounded half up
    for k in range(width):
        active = k < tenor
        interest = (2 * balance * num * days[:, k] + scale) // (2 * scale)
        if method is Method.EQUAL_INSTALMENTS:
            part = np.minimum(np.maximum(payment - interest, 0), balance)
        elif method is Method.EQUAL_PRINCIPAL:
            part = even
        else:
            part = np.zeros(n, np.int64)
        part = np.where(k == tenor - 1, balance, part)
        part = np.where(active, part, 0)
        balance = balance - part
        out_p[:, k], out_i[:, k], out_b[:, k] = part, np.where(active, interest, 0), balance
    active_grid = np.arange(width)[None, :] < tenor[:, None]
    return Schedules(np.where(active_grid, dues, np.datetime64("NaT")), out_p, out_i, out_b)


def _due_grid(firsts: np.ndarray, width: int) -> np.ndarray:
    """Monthly due dates from each first due date, the day clipped to each month's end."""
    first_month = firsts.astype("datetime64[M]")
    anchor_day = (firsts - first_month.astype("datetime64[D]")).astype(np.int64)  # 0-based
    month = first_month[:, None] + np.arange(width)
    month_start = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - month_start).astype(np.int64)
    return month_start + np.minimum(anchor_day[:, None], length - 1)


def _thirty_360(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    def parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = d.astype("datetime64[M]")
        day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
        months = m.astype(np.int64)
        return months // 12, months % 12, day

    y1, m1, d1 = parts(start)
    y2, m2, d2 = parts(end)
    d1 = np.minimum(d1, 30)
    d2 = np.where((d2 == 31) & (d1 == 30), 30, d2)
    return 360 * (y2 - y1) + 30 * (m2 - m1) + d2 - d1


# --- Repayments ----------------------------------------------------------------------------
DEFAULT_ORDER = ("penalty", "interest", "principal")


@dataclass(frozen=True)
class Allocation:
    paid: Mapping[str, Fen]  # per component, never more than due
    overpayment_fen: Fen  # what was left after everything due was paid


def allocate_repayment(
    amount_fen: Fen, due: Mapping[str, Fen], order: Sequence[str] = DEFAULT_ORDER
) -> Allocation:
    """Pay the components due in the stated order (default penalty → interest → principal),
    each in full before the next; what is left over is an overpayment.

    >>> a = allocate_repayment(10_000, {"penalty": 500, "interest": 3_000, "principal": 20_000})
    >>> dict(a.paid), a.overpayment_fen
    ({'penalty': 500, 'interest': 3000, 'principal': 6500}, 0)
    """
    if amount_fen < 0:
        raise LoanError(f"a repayment cannot be negative: {amount_fen}")
    if sorted(order) != sorted(due):
        raise LoanError(f"the order {list(order)} must name each component due {sorted(due)} once")
    if any(v < 0 for v in due.values()):
        raise LoanError(f"amounts due cannot be negative: {dict(due)}")
    left = amount_fen
    paid = {}
    for component in order:
        paid[component] = min(left, due[component])
        left -= paid[component]
    return Allocation(paid, left)


def days_past_due(oldest_unpaid_due: date | None, as_of: date) -> int:
    """Days since the oldest instalment still unpaid fell due (0 if none or not yet due).

    >>> days_past_due(date(2025, 3, 1), date(2025, 5, 30))
    90
    """
    if oldest_unpaid_due is None or as_of <= oldest_unpaid_due:
        return 0
    return (as_of - oldest_unpaid_due).days


class Category(StrEnum):
    NORMAL = "normal"  # 正常
    SPECIAL_MENTION = "special_mention"  # 关注
    SUBSTANDARD = "substandard"  # 次级
    DOUBTFUL = "doubtful"  # 可疑
    LOSS = "loss"  # 损失


@dataclass(frozen=True)
class Thresholds:
    """The least days past due that puts a loan in each category at least.

    Defaults (a convention, not in risk-sharing.md): any overdue → 关注; more than 90 days →
    次级; more than 270 → 可疑; more than 360 → 损失, as we read 《商业银行金融资产风险分类办法》
    (CBIRC/PBoC 2023, in force 2023-07-01) [M: check against the original]. The 91–180 /
    181–360 bands of earlier practice are one `Thresholds(...)` away. Days past due give only a
    floor: a bank may classify a loan worse on judgement.
    """

    special_mention: int = 1
    substandard: int = 91
    doubtful: int = 271
    loss: int = 361

    def __post_init__(self) -> None:
        steps = (self.special_mention, self.substandard, self.doubtful, self.loss)
        if not 0 < steps[0] < steps[1] < steps[2] < steps[3]:
            raise LoanError(f"classification thresholds must rise from above 0: {steps}")


def classify(dpd: int, thresholds: Thresholds | None = None) -> Category:
    """The five-category classification that days past due require at least.

    >>> classify(0), classify(30), classify(91), classify(300), classify(361)
    (<Category.NORMAL: 'normal'>, <Category.SPECIAL_MENTION: 'special_mention'>, <Category.SUBSTANDARD: 'substandard'>, <Category.DOUBTFUL: 'doubtful'>, <Category.LOSS: 'loss'>)
    """  # noqa: E501
    t = thresholds or Thresholds()
    if dpd < 0:
        raise LoanError(f"days past due cannot be negative: {dpd}")
    if dpd >= t.loss:
        return Category.LOSS
    if dpd >= t.doubtful:
        return Category.DOUBTFUL
    if dpd >= t.substandard:
        return Category.SUBSTANDARD
    if dpd >= t.special_mention:
        return Category.SPECIAL_MENTION
    return Category.NORMAL


# --- Servicing many instalments ------------------------------------------------------------
def penalty_interest(
    overdue_principal_fen: Fen, annual_rate: Decimal, markup: Decimal, days: int
) -> Fen:
    """Penalty interest (罚息) on overdue principal: the contract rate raised by `markup` (0.5 =
    +50%), by the day at 1/360 of the annual rate (日利率 = 年利率 ÷ 360), rounded once.

    >>> penalty_interest(1_000_000, Decimal("0.04"), Decimal("0.5"), 30)  # 10,000 yuan, 30 days
    5000
    """
    if overdue_principal_fen < 0 or days < 0 or markup < 0:
        raise LoanError("penalty interest needs a principal, a markup and days that are ≥ 0")
    with localcontext() as ctx:
        ctx.prec = _PREC
        return round_fen(overdue_principal_fen * annual_rate * (1 + markup) * days / 360)


def allocate_across(
    amount_fen: Fen, dues: Sequence[Mapping[str, Fen]], order: Sequence[str] = DEFAULT_ORDER
) -> tuple[list[dict[str, Fen]], Fen]:
    """Pay many instalments' components (oldest first in `dues`) in the stated order: all the
    penalty of every instalment first, then all the interest, then the principal, each oldest
    first. Returns what each instalment got and the overpayment; the parts add up to the amount.

    >>> allocate_across(7_000, [{"penalty": 100, "interest": 1_000, "principal": 5_000},
    ...     {"penalty": 0, "interest": 900, "principal": 5_000}])
    ([{'penalty': 100, 'interest': 1000, 'principal': 5000}, {'penalty': 0, 'interest': 900, 'principal': 0}], 0)
    """  # noqa: E501
    if amount_fen < 0:
        raise LoanError(f"a repayment cannot be negative: {amount_fen}")
    paid = [dict.fromkeys(order, 0) for _ in dues]
    left = amount_fen
    for component in order:
        for i, due in enumerate(dues):
            if sorted(due) != sorted(order):
                raise LoanError(f"the order {list(order)} must name each component due once")
            if due[component] < 0:
                raise LoanError(f"amounts due cannot be negative: {dict(due)}")
            take = min(left, due[component])
            paid[i][component] = take
            left -= take
    return paid, left


def parse_order(text: str) -> tuple[str, ...]:
    """An allocation order as written in policy ("penalty, interest, principal").

    >>> parse_order("penalty, interest, principal")
    ('penalty', 'interest', 'principal')
    """
    order = tuple(part.strip() for part in text.split(",") if part.strip())
    if sorted(order) != sorted(DEFAULT_ORDER):
        raise LoanError(f"an allocation order names penalty, interest and principal once: {text!r}")
    return order
