"""Double-entry bookkeeping as values: books, accounts, postings and journal entries.

A *book* is a separate set of accounts (the fiscal pool; the risk-compensation pool); an entry
never spans books. An *entry* has two or more postings of a positive number of fen to the debit
or the credit side; it balances (Σ debits = Σ credits) and names each account once. Balances are
kept on each account's *normal side* (debit for assets and losses, credit for contributions and
gains), so a positive balance is the ordinary state and "must not go negative" means what it says.

Everything here is pure: the application stores what these values describe, and the same rules
re-check the stored books (`BookAudit`).

>>> entry = JournalEntry(
...     book=FISCAL_POOL, date=dt.date(2025, 1, 2), memo="Budget allocation",
...     idempotency_key="budget-2025", postings=(debit("fiscal_pool.cash", 500_000_000),
...     credit("fiscal_pool.contributions", 500_000_000)))
>>> check_accounts(entry, CHART)
>>> entry.deltas(CHART)
{'fiscal_pool.cash': 500000000, 'fiscal_pool.contributions': 500000000}
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from json.encoder import encode_basestring as _json_str
from typing import NamedTuple

from patientcap.domain.messages import Invalid, Message, gettext_noop
from patientcap.domain.money import format_yuan

FISCAL_POOL = "fiscal_pool"
RISK_COMPENSATION_POOL = "risk_compensation_pool"
BOOKS: dict[str, str] = {
    FISCAL_POOL: gettext_noop("Fiscal pool"),
    RISK_COMPENSATION_POOL: gettext_noop("Risk-compensation pool"),
}

# One amount may not exceed ¥10 trillion: sums of many such amounts still fit a 64-bit column.
MAX_AMOUNT = 10**15
MAX_MEMO = 500
MAX_KEY = 200


class Side(StrEnum):
    DEBIT = "D"
    CREDIT = "C"

    @property
    def other(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


@dataclass(frozen=True, slots=True)
class Account:
    code: str
    name: str
    name_zh: str
    book: str
    normal_side: Side
    must_not_go_negative: bool = False

    def delta(self, side: Side, amount: int) -> int:
        """How a posting moves this account's balance (kept on its normal side)."""
        return amount if side == self.normal_side else -amount


def _chart(*accounts: Account) -> dict[str, Account]:
    return {a.code: a for a in accounts}


D, C = Side.DEBIT, Side.CREDIT

# The chart of accounts as data. Later programmes add accounts here; `ensure_chart` in the ledger
# app creates whatever is missing (it never changes an existing account's book, side or floor).
CHART: dict[str, Account] = _chart(
    Account(
        "fiscal_pool.cash",
        "Pool cash at the zone's account",
        "资金池账户现金",
        FISCAL_POOL,
        D,
        must_not_go_negative=True,
    ),
    Account(
        "fiscal_pool.contributions", "Fiscal contributions received", "财政注资", FISCAL_POOL, C
    ),
    Account(
        "fiscal_pool.invest_first",
        "Invest-first investments outstanding",
        "先投后股在投资金",
        FISCAL_POOL,
        D,
    ),
    Account(
        "fiscal_pool.converted_equity", "Converted equity holdings", "已转股股权", FISCAL_POOL, D
    ),
    Account("fiscal_pool.angel_fund", "Angel-fund investments", "天使基金投资", FISCAL_POOL, D),
    Account(
        "fiscal_pool.exit_receivable", "Exit proceeds receivable", "应收退出款", FISCAL_POOL, D
    ),
    Account(
        "fiscal_pool.realised_gains", "Realised gains on exits", "退出已实现收益", FISCAL_POOL, C
    ),
    Account(
        "fiscal_pool.realised_losses", "Realised losses on exits", "退出已实现损失", FISCAL_POOL, D
    ),
    Account("fiscal_pool.write_off_losses", "Write-off losses", "核销损失", FISCAL_POOL, D),
    Account(
        "risk_compensation_pool.cash",
        "Risk-compensation pool cash",
        "风险补偿资金池现金",
        RISK_COMPENSATION_POOL,
        D,
        must_not_go_negative=True,
    ),
    Account(
        "risk_compensation_pool.contributions",
        "Contributions to the pool",
        "风险补偿金注资",
        RISK_COMPENSATION_POOL,
        C,
    ),
    Account(
        "risk_compensation_pool.compensation_paid",
        "Compensation paid",
        "已付代偿",
        RISK_COMPENSATION_POOL,
        D,
    ),
    Account(
        "risk_compensation_pool.recoveries", "Recoveries", "追偿收回", RISK_COMPENSATION_POOL, C
    ),
    # 科企梯度贷: the partner guarantors' part of each compensation and of its recoveries, kept in
    # the programme's book beside the pool's own accounts (never touching the pool's cash), so
    # the book shows every party's money the zone's claims moved (lending app).
    Account(
        "risk_compensation_pool.guarantor_compensation",
        "Compensation paid by guarantors",
        "担保机构已付代偿",
        RISK_COMPENSATION_POOL,
        D,
    ),
    Account(
        "risk_compensation_pool.guarantor_funding",
        "Guarantors' funds for compensation",
        "担保机构代偿出资",
        RISK_COMPENSATION_POOL,
        C,
    ),
    Account(
        "risk_compensation_pool.guarantor_recoveries",
        "Recoveries due to guarantors",
        "担保机构追偿收回",
        RISK_COMPENSATION_POOL,
        C,
    ),
    Account(
        "risk_compensation_pool.guarantor_recoveries_returned",
        "Recoveries returned to guarantors",
        "追偿款已返还担保机构",
        RISK_COMPENSATION_POOL,
        D,
    ),
)


# --- Refusals ------------------------------------------------------------------------------
class LedgerError(Invalid):
    """A refused entry; `message` says why (a translatable template with its values)."""


class InvalidEntry(LedgerError):
    """The entry itself is malformed: nothing about the stored books was needed to tell."""


class UnbalancedEntry(InvalidEntry):
    pass


class WouldGoNegative(LedgerError):
    pass


class BackdatedWithdrawal(LedgerError):
    pass


class IdempotencyConflict(LedgerError):
    pass


class AlreadyReversed(LedgerError):
    pass


# --- Values ----------------------------------------------------------------------------------
class Posting(NamedTuple):
    """One leg of an entry (a named tuple: immutable, and cheap to make by the hundred thousand
    in a batch import)."""

    account: str
    side: Side
    amount: int


def debit(account: str, amount: int) -> Posting:
    return Posting(account, Side.DEBIT, amount)


def credit(account: str, amount: int) -> Posting:
    return Posting(account, Side.CREDIT, amount)


def realisation(holding: str, cost_fen: int, proceeds_fen: int) -> list[Posting]:
    """The postings of selling a fiscal-pool holding carried at cost: the holding Cr at cost,
    pool cash Dr with the proceeds, the difference to realised gains Cr or realised losses Dr
    (empty when there is nothing to book)."""
    postings = [credit(holding, cost_fen)] if cost_fen else []
    if proceeds_fen:
        postings.append(debit(f"{FISCAL_POOL}.cash", proceeds_fen))
    if proceeds_fen > cost_fen:
        postings.append(credit(f"{FISCAL_POOL}.realised_gains", proceeds_fen - cost_fen))
    elif proceeds_fen < cost_fen:
        postings.append(debit(f"{FISCAL_POOL}.realised_losses", cost_fen - proceeds_fen))
    return postings


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings in one book, valid by construction (else `InvalidEntry`)."""

    book: str
    date: dt.date
    memo: str
    idempotency_key: str
    postings: tuple[Posting, ...]
    reversal_of: int | None = None
    # SHA-256 of what the entry says, to tell a replay from a different entry with the same key.
    # Posting order does not matter; book, date, memo, accounts, sides and amounts do.
    content_hash: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for problem in entry_problems(self):
            raise InvalidEntry(problem.template, problem.params)
        debits = sum(p.amount for p in self.postings if p.side == Side.DEBIT)
        credits = sum(p.amount for p in self.postings if p.side == Side.CREDIT)
        if debits != credits:
            raise UnbalancedEntry(
                gettext_noop(
                    "The entry does not balance: debits %(debits)s, credits "
                    "%(credits)s (difference %(difference)s). Nothing was posted."
                ),
                {
                    "debits": format_yuan(debits),
                    "credits": format_yuan(credits),
                    "difference": format_yuan(abs(debits - credits)),
                },
            )
        object.__setattr__(
            self,
            "content_hash",
            content_hash(
                book=self.book,
                date=self.date,
                memo=self.memo,
                reversal_of=self.reversal_of,
                postings=[(p.account, p.side, p.amount) for p in self.postings],
            ),
        )

    def deltas(self, chart: Mapping[str, Account]) -> dict[str, int]:
        """Each account's balance movement (normal side), in posting order."""
        return {p.account: chart[p.account].delta(p.side, p.amount) for p in self.postings}

    def mirror(
        self, *, original_id: int, date: dt.date, memo: str, idempotency_key: str
    ) -> JournalEntry:
        """The reversal of this entry: the same postings on the other side."""
        return JournalEntry(
            book=self.book,
            date=date,
            memo=memo,
            idempotency_key=idempotency_key,
            postings=tuple(Posting(p.account, Side(p.side).other, p.amount) for p in self.postings),
            reversal_of=original_id,
        )


def entry_problems(entry: JournalEntry) -> list[Message]:
    """Why the entry's shape is invalid (empty when it is fine), balance aside."""
    if entry.book not in BOOKS:
        return [Message(gettext_noop("Unknown book %(book)r."), {"book": entry.book})]
    if not isinstance(entry.date, dt.date) or isinstance(entry.date, dt.datetime):
        return [Message(gettext_noop("The entry date must be a calendar date."), {})]
    if not isinstance(entry.memo, str) or not entry.memo.strip() or len(entry.memo) > MAX_MEMO:
        return [Message(gettext_noop("The memo must be 1 to %(n)d characters."), {"n": MAX_MEMO})]
    key = entry.idempotency_key
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        return [
            Message(
                gettext_noop("The idempotency key must be 1 to %(n)d characters."), {"n": MAX_KEY}
            )
        ]
    if len(entry.postings) < 2:
        return [Message(gettext_noop("An entry needs at least two postings."), {})]
    seen: set[str] = set()
    for n, p in enumerate(entry.postings, 1):
        if not isinstance(p, Posting) or p.side not in (Side.DEBIT, Side.CREDIT):
            return [Message(gettext_noop("Posting %(n)d is not a debit or credit."), {"n": n})]
        if type(p.amount) is not int or not 0 < p.amount <= MAX_AMOUNT:
            return [
                Message(
                    gettext_noop(
                        "Posting %(n)d (%(account)s): the amount must be a whole number of fen "
                        "above 0 and at most %(max)s, not %(amount)r."
                    ),
                    {
                        "n": n,
                        "account": p.account,
                        "max": format_yuan(MAX_AMOUNT),
                        "amount": p.amount,
                    },
                )
            ]
        if p.account in seen:
            return [
                Message(
                    gettext_noop(
                        "Account %(account)s appears twice in the entry; post it once (net the "
                        "amounts)."
                    ),
                    {"account": p.account},
                )
            ]
        seen.add(p.account)
    return []


def check_accounts(entry: JournalEntry, chart: Mapping[str, Account]) -> None:
    """Every account exists and belongs to the entry's book."""
    for p in entry.postings:
        account = chart.get(p.account)
        if account is None:
            raise InvalidEntry(gettext_noop("Unknown account %(account)s."), {"account": p.account})
        if account.book != entry.book:
            raise InvalidEntry(
                gettext_noop(
                    "Account %(account)s belongs to book %(other)s, not %(book)s: an entry never "
                    "spans books."
                ),
                {"account": p.account, "other": account.book, "book": entry.book},
            )


def content_hash(
    *,
    book: str,
    date: dt.date,
    memo: str,
    reversal_of: int | None,
    postings: Iterable[tuple[str, str, int]],
) -> str:
    """SHA-256 of the entry's canonical JSON: sorted keys, no spaces, postings sorted.

    Written out by hand (each string JSON-encoded exactly as `json.dumps` does) because a batch
    import hashes every entry; `test_the_content_hash_is_canonical_json` holds it to
    `json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
    """
    legs = ",".join(
        f"[{_json_str(a)},{_json_str(str(s))},{int(n)}]" for a, s, n in sorted(postings)
    )
    reversal = "null" if reversal_of is None else int(reversal_of)
    text = (
        f'{{"book":{_json_str(book)},"date":"{date.isoformat()}","memo":{_json_str(memo)},'
        f'"postings":[{legs}],"reversal_of":{reversal}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


# --- Balances --------------------------------------------------------------------------------
def would_go_negative(account: Account, balance: int, delta: int) -> LedgerError:
    return WouldGoNegative(
        gettext_noop(
            "%(account)s must not go negative: its balance is %(balance)s and this "
            "entry would move it by %(delta)s. Nothing was posted."
        ),
        {"account": account.code, "balance": format_yuan(balance), "delta": format_yuan(delta)},
    )


def backdated_withdrawal(account: Account, date: dt.date, last_date: dt.date) -> LedgerError:
    return BackdatedWithdrawal(
        gettext_noop(
            "%(account)s must not go negative on any date, so money can leave it only "
            "on or after its latest entry (%(last)s), not on %(date)s. Nothing was "
            "posted."
        ),
        {"account": account.code, "last": last_date.isoformat(), "date": date.isoformat()},
    )


@dataclass(slots=True)
class Balances:
    """Running balances in posting order, refusing what the database also refuses.

    Money may leave a must-not-go-negative account only on or after its latest entry date, so
    such an account is never negative in posting order *nor* on any business date:

    >>> cash = CHART["fiscal_pool.cash"]
    >>> b = Balances({cash.code: 100}, {cash.code: dt.date(2025, 3, 1)})
    >>> b.apply_delta(cash, -30, dt.date(2025, 3, 1)); b.balance[cash.code]
    70
    >>> b.apply_delta(cash, -80, dt.date(2025, 3, 2))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    patientcap.domain.ledger.WouldGoNegative: fiscal_pool.cash must not go negative
    """

    balance: dict[str, int] = field(default_factory=dict)
    last_date: dict[str, dt.date] = field(default_factory=dict)

    def refusal(self, account: Account, delta: int, date: dt.date) -> LedgerError | None:
        if not account.must_not_go_negative:
            return None
        current = self.balance.get(account.code, 0)
        if current + delta < 0:
            return would_go_negative(account, current, delta)
        last = self.last_date.get(account.code)
        if delta < 0 and last is not None and date < last:
            return backdated_withdrawal(account, date, last)
        return None

    def apply_delta(self, account: Account, delta: int, date: dt.date) -> None:
        if (refused := self.refusal(account, delta, date)) is not None:
            raise refused
        self.balance[account.code] = self.balance.get(account.code, 0) + delta
        last = self.last_date.get(account.code)
        if last is None or date > last:
            self.last_date[account.code] = date

    def apply(self, entry: JournalEntry, chart: Mapping[str, Account]) -> None:
        """All of the entry or none of it."""
        deltas, date = entry.deltas(chart), entry.date
        for code, delta in deltas.items():
            if (refused := self.refusal(chart[code], delta, date)) is not None:
                raise refused
        balance, last_date = self.balance, self.last_date
        for code, delta in deltas.items():
            balance[code] = balance.get(code, 0) + delta
            if (last := last_date.get(code)) is None or date > last:
                last_date[code] = date


# --- Re-checking stored books ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredPosting:
    account: str
    side: str
    amount: int
    date: dt.date


@dataclass(frozen=True, slots=True)
class StoredEntry:
    id: int
    book: str
    date: dt.date
    memo: str
    idempotency_key: str
    content_hash: str
    reversal_of: int | None
    postings: tuple[StoredPosting, ...]


@dataclass(frozen=True, slots=True)
class Breach:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class BookAudit:
    """Re-checks stored entries, fed in posting (id) order, against every ledger invariant.

    Feed each entry with `add`, then compare cached balances with `finish`. Breaches are values,
    so one run reports all of them.
    """

    chart: Mapping[str, Account]
    breaches: list[Breach] = field(default_factory=list)
    sums: dict[str, int] = field(default_factory=dict)
    _by_id: dict[int, tuple[str, frozenset[tuple[str, str, int]]]] = field(default_factory=dict)
    _reversed: dict[int, int] = field(default_factory=dict)
    _running: dict[str, int] = field(default_factory=dict)
    _floor_breached: set[str] = field(default_factory=set)
    _book_totals: dict[str, list[int]] = field(default_factory=dict)

    def _breach(self, where: str, reason: str) -> None:
        self.breaches.append(Breach(where, reason))

    def add(self, e: StoredEntry) -> None:
        where = f"entry {e.id}"
        debits = sum(p.amount for p in e.postings if p.side == Side.DEBIT)
        credits = sum(p.amount for p in e.postings if p.side == Side.CREDIT)
        totals = self._book_totals.setdefault(e.book, [0, 0])
        totals[0] += debits
        totals[1] += credits
        if len(e.postings) < 2:
            self._breach(where, f"has {len(e.postings)} posting(s); an entry needs two or more")
        if debits != credits:
            self._breach(where, f"does not balance: debits {debits} fen, credits {credits} fen")
        accounts = [p.account for p in e.postings]
        if len(set(accounts)) != len(accounts):
            self._breach(where, "names an account more than once")
        for p in e.postings:
            account = self.chart.get(p.account)
            if p.amount <= 0:
                self._breach(where, f"posting to {p.account} has amount {p.amount} (must be > 0)")
            if p.side not in (Side.DEBIT, Side.CREDIT):
                self._breach(where, f"posting to {p.account} has side {p.side!r}")
            if p.date != e.date:
                self._breach(where, f"posting to {p.account} is dated {p.date}, not {e.date}")
            if account is None:
                self._breach(where, f"posts to unknown account {p.account}")
                continue
            if account.book != e.book:
                self._breach(where, f"posts to {p.account} of book {account.book}, not {e.book}")
            self._move(account, account.delta(Side(p.side), p.amount), where)
        stored = content_hash(
            book=e.book,
            date=e.date,
            memo=e.memo,
            reversal_of=e.reversal_of,
            postings=[(p.account, p.side, p.amount) for p in e.postings],
        )
        if stored != e.content_hash:
            self._breach(where, "content differs from its idempotency hash (edited after posting)")
        legs = frozenset((p.account, p.side, p.amount) for p in e.postings)
        self._by_id[e.id] = (e.book, legs)
        if e.reversal_of is not None:
            self._check_reversal(e, legs, where)

    def _move(self, account: Account, delta: int, where: str) -> None:
        self.sums[account.code] = self.sums.get(account.code, 0) + delta
        running = self._running[account.code] = self._running.get(account.code, 0) + delta
        if (
            account.must_not_go_negative
            and running < 0
            and account.code not in self._floor_breached
        ):
            self._floor_breached.add(account.code)
            self._breach(where, f"{account.code} went negative ({running} fen) in posting order")

    def _check_reversal(self, e: StoredEntry, legs: frozenset, where: str) -> None:
        assert e.reversal_of is not None
        if (earlier := self._reversed.get(e.reversal_of)) is not None:
            self._breach(where, f"reverses entry {e.reversal_of}, already reversed by {earlier}")
        self._reversed[e.reversal_of] = e.id
        original = self._by_id.get(e.reversal_of)
        if original is None:
            self._breach(where, f"reverses entry {e.reversal_of}, which is not an earlier entry")
            return
        book, original_legs = original
        mirrored = frozenset((a, Side(s).other.value, n) for a, s, n in original_legs)
        if book != e.book or legs != mirrored:
            self._breach(where, f"does not mirror entry {e.reversal_of} that it reverses")

    def check_dated_balances(
        self, code: str, deltas_in_date_order: Iterable[tuple[dt.date, int]]
    ) -> None:
        """A must-not-go-negative account stays ≥ 0 at the end of every business date."""
        running, day = 0, None
        for date, delta in deltas_in_date_order:
            if date != day and running < 0:
                break  # the balance at the end of `day` was negative
            running += delta
            day = date
        if running < 0:
            self._breach(f"account {code}", f"negative ({running} fen) at the end of {day}")

    def finish(self, cached: Mapping[str, int]) -> list[Breach]:
        """Compare cached balances with the sums of postings, then report everything found."""
        for book, (debits, credits) in sorted(self._book_totals.items()):
            if debits != credits:
                self._breach(
                    f"book {book}", f"trial balance is off: debits {debits}, credits {credits} fen"
                )
        for code in sorted(set(cached) | set(self.sums)):
            if cached.get(code, 0) != self.sums.get(code, 0):
                self._breach(
                    f"account {code}",
                    f"cached balance {cached.get(code, 0)} fen, sum "
                    f"of postings {self.sums.get(code, 0)} fen",
                )
        return self.breaches
