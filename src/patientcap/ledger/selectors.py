"""Reading the books: balances, trial balances, account statements, entries.

Balances are on each account's normal side. Dates are business dates; a statement covers the
half-open period [start, end). These functions do not scope by user: views and the API first get
the account or entry through `accounts.scoping`, then ask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from patientcap.domain.ledger import BOOKS, Side
from patientcap.ledger.models import Account, Balance, Entry, Posting


@dataclass(frozen=True)
class AccountTotals:
    account: Account
    debits: int
    credits: int

    @property
    def balance(self) -> int:
        """On the account's normal side."""
        net = self.debits - self.credits
        return net if self.account.normal_side == Side.DEBIT else -net


@dataclass(frozen=True)
class TrialBalance:
    book: str
    as_of: dt.date | None
    lines: list[AccountTotals]

    @property
    def label(self) -> str:
        return BOOKS[self.book]

    @property
    def debits(self) -> int:
        return sum(line.debits for line in self.lines)

    @property
    def credits(self) -> int:
        return sum(line.credits for line in self.lines)

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits


@dataclass(frozen=True)
class StatementLine:
    date: dt.date
    entry_id: int
    memo: str
    debit: int
    credit: int
    balance: int  # running, on the normal side


@dataclass(frozen=True)
class Statement:
    account: Account
    start: dt.date
    end: dt.date  # exclusive
    opening: int
    lines: list[StatementLine]

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def debits(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def credits(self) -> int:
        return sum(line.credit for line in self.lines)


def _totals(postings: QuerySet[Posting]) -> dict[int, tuple[int, int]]:
    totals: dict[int, list[int]] = {}
    for account_id, side, total in (
        postings.values_list("account_id", "side").annotate(total=Sum("amount")).order_by()
    ):
        totals.setdefault(account_id, [0, 0])[0 if side == Side.DEBIT else 1] += total
    return {k: (d, c) for k, (d, c) in totals.items()}


def trial_balance(book: str, as_of: dt.date | None = None) -> TrialBalance:
    """Debit and credit totals of every account of `book`, from entries dated up to and
    including `as_of` (all entries when None)."""
    if book not in BOOKS:
        raise LookupError(f"unknown book {book!r}")
    postings = Posting.objects.filter(account__book=book)
    if as_of is not None:
        postings = postings.filter(date__lte=as_of)
    totals = _totals(postings)
    lines = [
        AccountTotals(a, *totals.get(a.pk, (0, 0)))
        for a in Account.objects.filter(book=book).order_by("code")
    ]
    return TrialBalance(book, as_of, lines)


def balance(account: Account | str, as_of: dt.date | None = None) -> int:
    """The account's balance on its normal side: as of the end of `as_of`, or now (the cached
    balance, kept in step with the postings) when None."""
    if isinstance(account, str):
        account = Account.objects.get(code=account)
    if as_of is None:
        return Balance.objects.get(account=account).balance
    debits, credits = _totals(Posting.objects.filter(account=account, date__lte=as_of)).get(
        account.pk, (0, 0)
    )
    return AccountTotals(account, debits, credits).balance


def account_statement(account: Account, start: dt.date, end: dt.date) -> Statement:
    """Opening balance at `start`, each posting in [start, end) with the running balance, and
    the closing balance."""
    if end < start:
        raise ValueError("a statement ends on or after it starts")
    sign = 1 if account.normal_side == Side.DEBIT else -1
    opening = balance(account, start - dt.timedelta(days=1))
    lines, running = [], opening
    for date, entry_id, memo, side, amount in (
        Posting.objects.filter(account=account, date__gte=start, date__lt=end)
        .order_by("date", "entry_id")
        .values_list("date", "entry_id", "entry__memo", "side", "amount")
    ):
        debit, credit = (amount, 0) if side == Side.DEBIT else (0, amount)
        running += sign * (debit - credit)
        lines.append(StatementLine(date, entry_id, memo, debit, credit, running))
    return Statement(account, start, end, opening, lines)


def entries(
    queryset: QuerySet[Entry], *, book: str | None = None, account: Account | None = None
) -> QuerySet[Entry]:
    """Entries, newest first, optionally of one book or touching one account."""
    filters = Q()
    if book:
        filters &= Q(book=book)
    if account is not None:
        filters &= Q(postings__account=account)
    return queryset.filter(filters).select_related("actor", "reversal_of").order_by("-date", "-id")


def entry_postings(entry: Entry) -> list[Posting]:
    """Debits first ("D" sorts after "C"), then by account code."""
    return list(entry.postings.select_related("account").order_by("-side", "account__code"))


def reversal(entry: Entry) -> Entry | None:
    """The entry that reverses `entry`, if any (an entry is reversed at most once)."""
    return Entry.objects.filter(reversal_of=entry).first()
