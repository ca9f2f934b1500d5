"""Risk sharing: how the loss on a defaulted loan is split between government pool, bank,
guarantor and any other party, and how recoveries (追偿) flow back.

The models are those of risk-sharing.md §7, all driven by one `SharingRule` value (the app builds
it from dated policy and stores the rule version with each claim):

1. Loss base: overdue principal, or principal plus unpaid interest for at most N days.
2. First loss: one party bears the first layer (a % of the principal, optionally capped at an
   amount) before anything is shared.
3. Pro rata: the rest is split by the parties' shares (which add up to exactly 1); when the bank's
   NPL ratio lies in a configured band, that band's shares replace the default ones.
4. Caps, in this order: per loan (a party's part of one loan), per party per year (aggregate),
   and the portfolio cap of the pool (at most cap rate × covered portfolio, cumulative); a cap
   applies to a party's whole part, first loss included. What a cap cuts off is NOT refused:
   it falls to the residual party (the bank, which in every Chinese scheme keeps the rest of
   the risk), so the parts always add up to the loss.
5. Advance, then recover: the split is what each party pays (the pool advances its part at once);
   each recovery is shared back in proportion to what each party still has unrecovered, which is
   the loss shares themselves up to the fen, so nobody ever gets back more than it paid.
6. Circuit breaker (熔断): no new loans are included once the bank's NPL ratio passes a threshold.

Every split goes through `money.allocate` (largest remainder), so parts add up to the fen.
`share_losses` does the same for a whole batch with numpy int64 arrays, identical to calling
`share_loss` loan by loan in the same order.

>>> rule = SharingRule(parties=(Party("guarantor", Decimal("0.4")),
...     Party("re_guarantor", Decimal("0.3")), Party("bank", Decimal("0.2")),
...     Party("government", Decimal("0.1"))), residual="bank")
>>> share_loss(rule, Default(principal_fen=600_000_000)).parts  # Anhui 4321, a 6M loss
(240000000, 180000000, 120000000, 60000000)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from math import lcm

import numpy as np

from patientcap.domain.money import Fen, allocate, apply_ratio, round_fen


class RiskSharingError(ValueError):
    """A rule, a default or a recovery that cannot be shared as asked."""


class CircuitBreakerTripped(RiskSharingError):
    """A new inclusion refused because the bank's NPL ratio has passed the threshold."""


class LossBasis(StrEnum):
    PRINCIPAL = "principal"
    PRINCIPAL_AND_INTEREST = "principal_and_interest"


@dataclass(frozen=True)
class Party:
    """A risk taker with its pro-rata share and optional caps (in fen)."""

    name: str
    share: Decimal
    per_loan_cap_fen: Fen | None = None
    annual_cap_fen: Fen | None = None


@dataclass(frozen=True)
class NplBand:
    """Shares that apply while the bank's NPL ratio is in [low, high) (high None: no top).

    Shenzhen 千帆 (the pool pays 30% only for NPL between 1% and 3%) is three bands: [0, 1%) and
    [3%, ∞) with the pool at 0, [1%, 3%) with the pool at 0.3.
    """

    low: Decimal
    high: Decimal | None
    shares: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        if self.low < 0 or (self.high is not None and self.high <= self.low):
            raise RiskSharingError(
                f"an NPL band must run from ≥ 0 upwards: [{self.low}, {self.high})"
            )

    def contains(self, ratio: Decimal) -> bool:
        return self.low <= ratio and (self.high is None or ratio < self.high)


@dataclass(frozen=True)
class SharingRule:
    parties: tuple[Party, ...]
    residual: str  # takes what caps cut off; it may have no cap itself
    basis: LossBasis = LossBasis.PRINCIPAL
    interest_days: int = 0  # with PRINCIPAL_AND_INTEREST: interest for at most this many days
    first_loss_party: str | None = None
    first_loss_ratio: Decimal = Decimal(0)  # of the principal
    first_loss_cap_fen: Fen | None = None
    npl_bands: tuple[NplBand, ...] = ()
    pool: str | None = None  # the party the portfolio cap applies to
    portfolio_cap_rate: Decimal | None = None  # pool pays ≤ rate × covered portfolio in total
    breaker_npl_ratio: Decimal | None = None  # no new inclusions once NPL ratio > this

    def __post_init__(self) -> None:
        names = [p.name for p in self.parties]
        if not names:
            raise RiskSharingError("a sharing rule needs at least one party")
        if len(set(names)) != len(names):
            raise RiskSharingError(f"party names repeat: {names}")
        _check_shares(names, {p.name: p.share for p in self.parties}, "the party shares")
        for band in self.npl_bands:
            if set(band.shares) != set(names):
                raise RiskSharingError(
                    f"the NPL band from {band.low} names {sorted(band.shares)}, not {sorted(names)}"
                )
            _check_shares(names, band.shares, f"the shares of the NPL band from {band.low}")
        for role, name in (
            ("residual", self.residual),
            ("first-loss", self.first_loss_party),
            ("pool", self.pool),
        ):
            if name is not None and name not in names:
                raise RiskSharingError(f"the {role} party {name!r} is not one of {names}")
        residual = self.parties[names.index(self.residual)]
        if residual.per_loan_cap_fen is not None or residual.annual_cap_fen is not None:
            raise RiskSharingError(f"the residual party {self.residual!r} cannot have a cap")
        if self.portfolio_cap_rate is not None and self.pool in (None, self.residual):
            raise RiskSharingError(
                "a portfolio cap rate needs a pool party other than the residual"
            )
        for p in self.parties:
            for cap in (p.per_loan_cap_fen, p.annual_cap_fen):
                if cap is not None and cap < 0:
                    raise RiskSharingError(f"a cap of {p.name!r} is negative: {cap}")
        if self.interest_days < 0:
            raise RiskSharingError(f"interest days cannot be negative: {self.interest_days}")
        if not Decimal(0) <= self.first_loss_ratio <= Decimal(1):
            raise RiskSharingError(
                f"the first-loss ratio must be in [0, 1]: {self.first_loss_ratio}"
            )
        if self.first_loss_ratio and self.first_loss_party is None:
            raise RiskSharingError("a first-loss ratio needs a first-loss party")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parties)

    def shares_for(self, npl_ratio: Decimal | None) -> tuple[Decimal, ...]:
        """The shares in force: the first band (in rule order) containing the NPL ratio, else the
        default shares."""
        if npl_ratio is not None:
            for band in self.npl_bands:
                if band.contains(npl_ratio):
                    return tuple(band.shares[n] for n in self.names)
        return tuple(p.share for p in self.parties)


def _check_shares(names: Sequence[str], shares: Mapping[str, Decimal], what: str) -> None:
    if any(not isinstance(s, Decimal) for s in shares.values()):
        raise RiskSharingError(f"{what} must be Decimal")
    negative = [n for n in names if shares[n] < 0]
    if negative:
        raise RiskSharingError(f"{what} are negative for {negative}")
    total = sum(shares.values(), Decimal(0))
    if total != 1:
        raise RiskSharingError(f"{what} add up to {total}, not exactly 1 (100%)")


@dataclass(frozen=True)
class Default:
    """A defaulted loan: overdue unrecovered principal, and unpaid interest accrued over
    `interest_days` days (used only with the PRINCIPAL_AND_INTEREST basis)."""

    principal_fen: Fen
    interest_fen: Fen = 0
    interest_days: int = 0

    def __post_init__(self) -> None:
        if self.principal_fen < 0 or self.interest_fen < 0 or self.interest_days < 0:
            raise RiskSharingError(f"a default cannot have negative amounts or days: {self}")
        if self.interest_fen and not self.interest_days:
            raise RiskSharingError("unpaid interest needs the number of days it accrued over")


@dataclass(frozen=True)
class Usage:
    """What the capped parties have paid so far: per party this year (the app starts each year
    from an empty `annual_paid`), and the pool in total over the covered portfolio."""

    annual_paid: Mapping[str, Fen] = field(default_factory=dict)
    pool_paid_fen: Fen = 0


@dataclass(frozen=True)
class Split:
    names: tuple[str, ...]
    parts: tuple[Fen, ...]  # what each party bears, in party order; sums to base_fen
    base_fen: Fen
    first_loss_fen: Fen
    shares: tuple[Decimal, ...]  # the pro-rata shares used (after any NPL band)

    def as_dict(self) -> dict[str, Fen]:
        return dict(zip(self.names, self.parts, strict=True))


def loss_base(rule: SharingRule, default: Default) -> Fen:
    """The loss to share. Interest over more days than the rule allows is prorated by days,
    rounded by the one rule.

    >>> r = SharingRule(parties=(Party("bank", Decimal(1)),), residual="bank",
    ...     basis=LossBasis.PRINCIPAL_AND_INTEREST, interest_days=120)
    >>> loss_base(r, Default(principal_fen=1_000_000, interest_fen=30_000, interest_days=180))
    1020000
    """
    if rule.basis is LossBasis.PRINCIPAL or not default.interest_fen:
        return default.principal_fen
    if default.interest_days <= rule.interest_days:
        return default.principal_fen + default.interest_fen
    with localcontext() as ctx:
        ctx.prec = 50
        counted = Decimal(default.interest_fen * rule.interest_days) / default.interest_days
    return default.principal_fen + round_fen(counted)


def share_loss(
    rule: SharingRule,
    default: Default,
    *,
    npl_ratio: Decimal | None = None,
    covered_portfolio_fen: Fen | None = None,
    usage: Usage | None = None,
) -> Split:
    """Split one loan's loss. `usage` says what capped parties have already paid (this year, and
    the pool in total); `next_usage` gives it back updated for the next loan.

    Worked example: 1,000 yuan lost; the bank takes a 10% first loss (100), the remaining 900 is
    split pool 0.7 / bank 0.3 (630 / 270); the pool is capped at 500 per loan, the 130 cut off
    falls to the bank: pool 500, bank 500.

    >>> r = SharingRule(parties=(Party("pool", Decimal("0.7"), per_loan_cap_fen=50_000),
    ...     Party("bank", Decimal("0.3"))), residual="bank",
    ...     first_loss_party="bank", first_loss_ratio=Decimal("0.1"))
    >>> share_loss(r, Default(principal_fen=100_000)).as_dict()
    {'pool': 50000, 'bank': 50000}
    """
    usage = usage or Usage()
    names = rule.names
    base = loss_base(rule, default)
    shares = rule.shares_for(npl_ratio)
    first_loss = 0
    if rule.first_loss_party is not None:
        first_loss = min(base, apply_ratio(default.principal_fen, rule.first_loss_ratio))
        if rule.first_loss_cap_fen is not None:
            first_loss = min(first_loss, rule.first_loss_cap_fen)
    parts = allocate(base - first_loss, list(shares))
    if rule.first_loss_party is not None:
        parts[names.index(rule.first_loss_party)] += first_loss
    for i, party in enumerate(rule.parties):
        if party.name == rule.residual:
            continue
        if party.per_loan_cap_fen is not None:
            parts[i] = min(parts[i], party.per_loan_cap_fen)
        if party.annual_cap_fen is not None:
            room = party.annual_cap_fen - usage.annual_paid.get(party.name, 0)
            parts[i] = min(parts[i], max(room, 0))
        if party.name == rule.pool and rule.portfolio_cap_rate is not None:
            room = portfolio_cap(rule, covered_portfolio_fen) - usage.pool_paid_fen
            parts[i] = min(parts[i], max(room, 0))
    r = names.index(rule.residual)
    parts[r] = base - (sum(parts) - parts[r])
    return Split(names, tuple(parts), base, first_loss, shares)


def portfolio_cap(rule: SharingRule, covered_portfolio_fen: Fen | None) -> Fen:
    """The most the pool pays in total: cap rate × covered portfolio (EIF capped guarantee).

    >>> r = SharingRule(parties=(Party("pool", Decimal("0.8")), Party("bank", Decimal("0.2"))),
    ...     residual="bank", pool="pool", portfolio_cap_rate=Decimal("0.05"))
    >>> portfolio_cap(r, 10_000_000_000)  # 5% of a 100M portfolio
    500000000
    """
    if rule.portfolio_cap_rate is None:
        raise RiskSharingError("the rule has no portfolio cap rate")
    if covered_portfolio_fen is None or covered_portfolio_fen < 0:
        raise RiskSharingError("a portfolio cap needs the covered portfolio amount (fen, ≥ 0)")
    return apply_ratio(covered_portfolio_fen, rule.portfolio_cap_rate)


def next_usage(rule: SharingRule, usage: Usage, split: Split) -> Usage:
    """`usage` after the parties paid `split`."""
    paid = dict(usage.annual_paid)
    pool_paid = usage.pool_paid_fen
    for name, part in zip(split.names, split.parts, strict=True):
        paid[name] = paid.get(name, 0) + part
        if name == rule.pool:
            pool_paid += part
    return Usage(paid, pool_paid)


def share_recovery(
    split: Split, recovered_so_far: Sequence[Fen], amount_fen: Fen
) -> tuple[Fen, ...]:
    """Share a recovery back to the parties that paid `split`, in proportion to what each still
    has unrecovered (the loss shares themselves, up to the fen), so nobody gets back more than it
    paid and a full recovery returns each party exactly its part.

    >>> s = Split(("pool", "bank"), (80_000, 20_000), 100_000, 0, (Decimal("0.8"), Decimal("0.2")))
    >>> share_recovery(s, (0, 0), 50_001)
    (40001, 10000)
    """
    if len(recovered_so_far) != len(split.parts):
        raise RiskSharingError("one recovered amount per party is needed")
    outstanding = [p - r for p, r in zip(split.parts, recovered_so_far, strict=True)]
    if any(o < 0 for o in outstanding):
        raise RiskSharingError("a party has already recovered more than it paid")
    if amount_fen < 0:
        raise RiskSharingError(f"a recovery cannot be negative: {amount_fen}")
    if amount_fen > sum(outstanding):
        raise RiskSharingError(
            f"a recovery of {amount_fen} fen exceeds the {sum(outstanding)} fen still unrecovered"
        )
    if amount_fen == 0:
        return tuple(0 for _ in outstanding)
    return tuple(allocate(amount_fen, outstanding))


def npl_ratio(npl_fen: Fen, loans_fen: Fen) -> Decimal:
    """Non-performing loans ÷ all loans (0 for an empty book)."""
    if npl_fen < 0 or loans_fen < 0 or npl_fen > loans_fen:
        raise RiskSharingError(f"NPL {npl_fen} fen and loans {loans_fen} fen are inconsistent")
    return Decimal(0) if loans_fen == 0 else Decimal(npl_fen) / Decimal(loans_fen)


def check_inclusion(rule: SharingRule, bank_npl_ratio: Decimal) -> None:
    """Refuse a new inclusion once the bank's NPL ratio passes the breaker threshold (熔断).

    >>> r = SharingRule(parties=(Party("bank", Decimal(1)),), residual="bank",
    ...     breaker_npl_ratio=Decimal("0.03"))
    >>> check_inclusion(r, Decimal("0.031"))
    Traceback (most recent call last):
    ...
    patientcap.domain.risk_sharing.CircuitBreakerTripped: the bank's NPL ratio 0.031 is above the circuit-breaker threshold 0.03: no new loans are included
    """  # noqa: E501
    if rule.breaker_npl_ratio is not None and bank_npl_ratio > rule.breaker_npl_ratio:
        raise CircuitBreakerTripped(
            f"the bank's NPL ratio {bank_npl_ratio} is above the circuit-breaker threshold "
            f"{rule.breaker_npl_ratio}: no new loans are included"
        )


# --- Many loans at once ------------------------------------------------------------------------
_INT64_SAFE = 2**62


def _half_up_div(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """a / b rounded half up for a ≥ 0, b > 0: the one rounding rule in integers."""
    return (2 * a + b) // (2 * b)


def share_losses(
    rule: SharingRule,
    principal_fen: np.ndarray,
    interest_fen: np.ndarray | None = None,
    interest_days: np.ndarray | None = None,
    *,
    npl_ratio: Decimal | None = None,
    covered_portfolio_fen: Fen | None = None,
    usage: Usage | None = None,
) -> np.ndarray:
    """`share_loss` for many loans in the given order, as an (n, parties) int64 array: row i
    equals `share_loss(...)` of loan i with the usage left by loans 0..i-1. One NPL ratio for
    the batch: a batch is one bank's defaults (or a rule without NPL bands)."""
    usage = usage or Usage()
    principal = np.asarray(principal_fen, dtype=np.int64)
    if principal.ndim != 1:
        raise RiskSharingError("principal must be a 1-d array")
    n = principal.shape[0]
    interest = np.zeros(n, np.int64) if interest_fen is None else np.asarray(interest_fen, np.int64)
    days = np.zeros(n, np.int64) if interest_days is None else np.asarray(interest_days, np.int64)
    if interest.shape != (n,) or days.shape != (n,):
        raise RiskSharingError("principal, interest and days must be 1-d arrays of one length")
    if (principal < 0).any() or (interest < 0).any() or (days < 0).any():
        raise RiskSharingError("defaults cannot have negative amounts or days")
    if ((interest > 0) & (days == 0)).any():
        raise RiskSharingError("unpaid interest needs the number of days it accrued over")
    if n and int(principal.max()) + int(interest.max()) > _INT64_SAFE // 2**20:
        raise RiskSharingError("amounts too large for the vectorised path; use share_loss")

    base = principal.copy()
    if rule.basis is LossBasis.PRINCIPAL_AND_INTEREST:
        capped = days > rule.interest_days
        counted = interest.copy()
        counted[capped] = _half_up_div(interest[capped] * rule.interest_days, days[capped])
        base += counted

    names = rule.names
    first_loss = np.zeros(n, np.int64)
    if rule.first_loss_party is not None:
        num, den = rule.first_loss_ratio.as_integer_ratio()
        if den > 2**20 or num > 2**20:
            raise RiskSharingError("the first-loss ratio has too many digits for the batch path")
        first_loss = np.minimum(base, _half_up_div(principal * num, den))
        if rule.first_loss_cap_fen is not None:
            first_loss = np.minimum(first_loss, rule.first_loss_cap_fen)

    parts = _allocate_rows(base - first_loss, rule.shares_for(npl_ratio))
    if rule.first_loss_party is not None:
        parts[:, names.index(rule.first_loss_party)] += first_loss
    for i, party in enumerate(rule.parties):
        if party.name == rule.residual:
            continue
        col = parts[:, i]
        if party.per_loan_cap_fen is not None:
            np.minimum(col, party.per_loan_cap_fen, out=col)
        if party.annual_cap_fen is not None:
            _cap_cumulative(col, party.annual_cap_fen - usage.annual_paid.get(party.name, 0))
        if party.name == rule.pool and rule.portfolio_cap_rate is not None:
            room = portfolio_cap(rule, covered_portfolio_fen) - usage.pool_paid_fen
            _cap_cumulative(col, room)
    r = names.index(rule.residual)
    parts[:, r] = 0
    parts[:, r] = base - parts.sum(axis=1)
    return parts


def _cap_cumulative(col: np.ndarray, room: int) -> None:
    """Pay each row in order until `room` is used up: cumulative paid = min(cumsum, room)."""
    paid = np.minimum(np.cumsum(col), max(room, 0))
    col[:] = np.diff(paid, prepend=0)


def _allocate_rows(totals: np.ndarray, shares: Sequence[Decimal]) -> np.ndarray:
    """`money.allocate` row by row, vectorised: floors, then one fen each to the largest
    remainders (ties to the earlier party)."""
    n, k = totals.shape[0], len(shares)
    fractions = [Fraction(s) for s in shares]
    scale = lcm(*(f.denominator for f in fractions))
    weights = np.array([int(f * scale) for f in fractions], dtype=np.int64)
    whole = int(weights.sum())
    if n and int(totals.max()) * whole >= _INT64_SAFE:
        raise RiskSharingError("shares have too many digits for the vectorised path")
    product = totals[:, None] * weights[None, :]
    parts = product // whole
    remainders = product % whole
    leftover = totals - parts.sum(axis=1)
    order = np.argsort(-remainders, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(n, axis=0), axis=1)
    parts += rank < leftover[:, None]
    return parts
