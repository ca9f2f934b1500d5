"""The liquidation waterfall: who gets what of an exit (reference equity-math.md §9).

Preferences are paid by seniority level (higher first), pro rata by preference within a level that
cannot be paid in full. What is left goes pro rata, as converted, to common, to participating
preferred, to capped participating preferred up to its cap (the excess goes to the others), and to
every class that converted. A non-participating (or capped) class converts when that pays it more;
the choices depend on each other, so they are iterated to a fixed point where no class would gain
by changing its choice. The decision is taken on exact fractions; the payout in fen is then split
by largest remainder (`money.allocate`), so the payouts add up to the exit amount exactly.
Option grants and the unallocated pool take no part (they are not issued shares).

>>> from patientcap.domain.captable import COMMON, CapTable, Holding, ShareClass
>>> a = ShareClass("A", preferred=True, seniority=1)
>>> table = CapTable((COMMON, a), (Holding("founder", "common", 800),
...                                Holding("vc", "A", 200, invested_fen=1_000_000)))
>>> waterfall(table, 2_000_000).payouts  # preference beats 20% of 2,000,000
{'founder': 1000000, 'vc': 1000000}
>>> waterfall(table, 10_000_000).payouts  # 20% as converted beats the preference
{'founder': 8000000, 'vc': 2000000}
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm

from patientcap.domain.captable import CapTable, CapTableError, Participation
from patientcap.domain.messages import gettext_noop
from patientcap.domain.money import allocate, apply_ratio

MAX_ROUNDS = 100  # bound on the passes of the conversion-decision iteration


def _times(fen: int, multiple: Decimal) -> int:
    """`fen` × `multiple` by the one rounding rule; a 1× multiple is the amount itself."""
    return fen if multiple == 1 else apply_ratio(fen, multiple)


@dataclass(frozen=True)
class ClassPayout:
    share_class: str
    converted: bool
    preference_fen: int
    participation_fen: int

    @property
    def total_fen(self) -> int:
        return self.preference_fen + self.participation_fen


@dataclass(frozen=True)
class Waterfall:
    exit_fen: int
    payouts: dict[str, int]  # holder -> fen, in order of first holding
    by_class: tuple[ClassPayout, ...]
    converted: frozenset[str]
    rounds: int


@dataclass(frozen=True)
class _Class:
    """One class, reduced to what the waterfall needs (all in fen or as-converted shares)."""

    name: str
    seniority: int
    preference: int
    shares: int
    participation: Participation | None  # None for common
    cap: int | None
    holdings: tuple[int, ...]  # indices into the table's holdings


def _classes(table: CapTable) -> list[_Class]:
    members: dict[str, list[int]] = {c.name: [] for c in table.classes}
    for i, h in enumerate(table.holdings):
        members[h.share_class].append(i)
    result = []
    for cls in table.classes:
        hs = [table.holdings[i] for i in members[cls.name]]
        shares = sum(table.as_converted(h) for h in hs)
        invested = [h.invested_fen for h in hs]
        preference = sum(_times(v, cls.preference_multiple) for v in invested)
        cap = None
        if cls.preferred and cls.cap_multiple is not None:
            cap = sum(_times(v, cls.cap_multiple) for v in invested)
        part = cls.participation if cls.preferred else None
        result.append(
            _Class(
                cls.name,
                cls.seniority,
                preference if cls.preferred else 0,
                shares,
                part,
                cap,
                tuple(members[cls.name]),
            )
        )
    return result


@dataclass
class _Split:
    """The exact outcome for one set of conversion choices, kept as whole fen plus the terms of
    the pro-rata shares, so that trying a choice builds no fractions for classes not asked about.
    """

    classes: list[_Class]
    preference: list[int | Fraction]
    fixed: list[int]  # participation of classes held at their cap
    sharing: list[bool]  # takes part in `rest` pro rata by shares
    rest: int
    rest_shares: int
    leftover: int  # nobody's: shared by every share as converted
    all_shares: int

    def participation(self, i: int) -> Fraction:
        shares = self.classes[i].shares
        amount = Fraction(self.fixed[i])
        if self.sharing[i]:
            amount += Fraction(self.rest * shares, self.rest_shares)
        if self.leftover:
            amount += Fraction(self.leftover * shares, self.all_shares)
        return amount

    def total(self, i: int) -> Fraction:
        return self.preference[i] + self.participation(i)


def _split(classes: list[_Class], exit_amount: int, converted: frozenset[str]) -> _Split:
    """Preferences level by level, then the rest pro rata with caps, for one set of choices.

    A short level leaves nothing after it, so every amount but that level's shares and the final
    pro-rata shares is a whole number of fen (Python ints: this runs once per choice tried).
    """
    k = len(classes)
    pref: list[int | Fraction] = [0] * k
    remaining = exit_amount
    claim = [
        i
        for i, c in enumerate(classes)
        if c.participation is not None and c.name not in converted and c.preference > 0
    ]
    for level in sorted({classes[i].seniority for i in claim}, reverse=True):
        at_level = [i for i in claim if classes[i].seniority == level]
        need = sum(classes[i].preference for i in at_level)
        if remaining >= need:
            for i in at_level:
                pref[i] = classes[i].preference
            remaining -= need
        else:
            for i in at_level:
                pref[i] = Fraction(remaining * classes[i].preference, need)
            remaining = 0
    fixed = [0] * k
    active = [
        i
        for i, c in enumerate(classes)
        if c.shares > 0
        and (
            c.participation in (None, Participation.PARTICIPATING, Participation.CAPPED)
            or c.name in converted
        )
    ]
    sharing = [False] * k
    rest = rest_shares = 0
    while remaining > 0 and active:
        total = sum(classes[i].shares for i in active)
        # Over its cap: pref + remaining × shares / total > cap, cross-multiplied to stay in ints.
        over = [
            i
            for i in active
            if (cap := classes[i].cap) is not None
            and classes[i].name not in converted
            and int(pref[i]) * total + remaining * classes[i].shares > cap * total
        ]
        if not over:
            for i in active:
                sharing[i] = True
            rest, rest_shares, remaining = remaining, total, 0
            break
        for i in over:
            fixed[i] = max(0, (classes[i].cap or 0) - int(pref[i]))
            remaining -= fixed[i]
        active = [i for i in active if i not in over]
    all_shares = sum(c.shares for c in classes)
    return _Split(classes, pref, fixed, sharing, rest, rest_shares, remaining, all_shares)


def _decide(classes: list[_Class], exit_amount: int) -> tuple[frozenset[str], int]:
    """Best-response iteration: each convertible class, cheapest preference per share first,
    switches its choice when the switch pays it strictly more; until no class switches."""
    candidates = sorted(
        (
            i
            for i, c in enumerate(classes)
            if c.participation in (Participation.NON_PARTICIPATING, Participation.CAPPED)
            and c.shares > 0
        ),
        key=lambda i: (Fraction(classes[i].preference, classes[i].shares), i),
    )
    converted: frozenset[str] = frozenset()
    current = _split(classes, exit_amount, converted)
    for rounds in range(1, MAX_ROUNDS + 1):
        switched = False
        for i in candidates:
            other = converted ^ {classes[i].name}
            trial = _split(classes, exit_amount, other)
            if trial.total(i) > current.total(i):
                converted, current, switched = other, trial, True
        if not switched:
            return converted, rounds
    raise CapTableError(gettext_noop("The conversion choices do not settle."))


def waterfall(table: CapTable, exit_fen: int) -> Waterfall:
    """Distribute `exit_fen` (net of costs and debt) over the table's holders, exactly."""
    if not isinstance(exit_fen, int) or exit_fen < 0:
        raise CapTableError(
            gettext_noop("Exit proceeds must be a non-negative number of fen, not %(v)s."),
            {"v": exit_fen},
        )
    classes = _classes(table)
    if not any(c.shares for c in classes):
        raise CapTableError(gettext_noop("A waterfall needs issued shares."))
    converted, rounds = _decide(classes, exit_fen)
    split = _split(classes, exit_fen, converted)
    pref = split.preference
    part = [split.participation(i) for i in range(len(classes))]
    holdings = table.holdings
    paid = [0] * len(holdings)
    remaining = exit_fen
    # Preferences level by level, in whole fen; a short level is split by holder preference.
    claim = [i for i, f in enumerate(pref) if f > 0]
    class_pref = [0] * len(classes)
    index = {c.name: i for i, c in enumerate(classes)}
    for level in sorted({classes[i].seniority for i in claim}, reverse=True):
        at_level = [i for i in claim if classes[i].seniority == level]
        members = [h for i in at_level for h in classes[i].holdings]
        owed = [
            _times(
                holdings[h].invested_fen,
                table.by_name[holdings[h].share_class].preference_multiple,
            )
            for h in members
        ]
        need = sum(owed)
        amounts = owed if remaining >= need else allocate(remaining, owed)
        for h, amount in zip(members, amounts, strict=True):
            paid[h] += amount
            class_pref[index[holdings[h].share_class]] += amount
        remaining -= sum(amounts)
    # The rest by the exact participation of each class (capped ones included), to the fen.
    class_part = [0] * len(classes)
    sharing = [i for i, f in enumerate(part) if f > 0]
    if sharing:
        scale = lcm(*(part[i].denominator for i in sharing))  # exact weights as integers
        weights = [int(part[i] * scale) for i in sharing]
        for i, amount in zip(sharing, allocate(remaining, weights), strict=True):
            class_part[i] = amount
    for i, c in enumerate(classes):
        if class_part[i]:
            weights = [table.as_converted(holdings[h]) for h in c.holdings]
            for h, amount in zip(c.holdings, allocate(class_part[i], weights), strict=True):
                paid[h] += amount
    payouts: dict[str, int] = {}
    for holding, amount in zip(holdings, paid, strict=True):
        payouts[holding.holder] = payouts.get(holding.holder, 0) + amount
    by_class = tuple(
        ClassPayout(c.name, c.name in converted, class_pref[i], class_part[i])
        for i, c in enumerate(classes)
    )
    return Waterfall(exit_fen, payouts, by_class, converted, rounds)
