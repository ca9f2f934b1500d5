"""Ledger API (zone staff and auditors): the books, trial balances, account statements and
journal entries. Amounts are integers named *_fen plus strings in yuan; dates are ISO dates."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.core.clock import today
from patientcap.domain.ledger import BOOKS
from patientcap.domain.money import yuan
from patientcap.ledger import selectors
from patientcap.ledger.models import Account, Entry

router = Router(tags=["ledger"])


class AccountOut(Schema):
    code: str
    name: str
    name_zh: str
    book: str
    normal_side: str
    must_not_go_negative: bool


class BookOut(Schema):
    code: str
    name: str
    accounts: list[AccountOut]


class TrialBalanceLineOut(Schema):
    account: str
    debits_fen: int
    credits_fen: int
    balance_fen: int
    balance: str


class TrialBalanceOut(Schema):
    book: str
    as_of: dt.date | None
    lines: list[TrialBalanceLineOut]
    debits_fen: int
    credits_fen: int
    balanced: bool


class StatementLineOut(Schema):
    date: dt.date
    entry_id: int
    memo: str
    debit_fen: int
    credit_fen: int
    balance_fen: int


class StatementOut(Schema):
    account: str
    start: dt.date
    end: dt.date
    opening_fen: int
    closing_fen: int
    opening: str
    closing: str
    lines: list[StatementLineOut]


class PostingOut(Schema):
    account: str
    side: str
    amount_fen: int
    amount: str


class EntryOut(Schema):
    id: int
    book: str
    date: dt.date
    memo: str
    idempotency_key: str
    content_hash: str
    reversal_of: int | None
    reversed_by: int | None
    source: str
    recorded_at: dt.datetime
    postings: list[PostingOut]

    @staticmethod
    def resolve_reversal_of(obj: Entry) -> int | None:
        return obj.reversal_of_id

    @staticmethod
    def resolve_reversed_by(obj: Entry) -> int | None:
        return next((r.pk for r in obj.reversals.all()), None)

    @staticmethod
    def resolve_postings(obj: Entry) -> list[dict]:
        return [
            {
                "account": p.account.code,
                "side": p.side,
                "amount_fen": p.amount,
                "amount": yuan(p.amount),
            }
            for p in obj.postings.all()
        ]


def _reader(request: HttpRequest) -> Any:
    user = api_user(request)
    if not scoping.readable(user, Account).exists():
        raise HttpError(403, "The ledger is for zone staff and auditors.")
    return user


def _book(code: str) -> str:
    if code not in BOOKS:
        raise HttpError(404, f"No book {code!r}; the books are {', '.join(BOOKS)}.")
    return code


@router.get("/books", response=list[BookOut], summary="The books and their accounts")
def books(request: HttpRequest) -> Any:
    accounts = scoping.readable(_reader(request), Account).order_by("code")
    return [
        {"code": code, "name": label, "accounts": [a for a in accounts if a.book == code]}
        for code, label in BOOKS.items()
    ]


@router.get(
    "/books/{book}/trial-balance",
    response=TrialBalanceOut,
    summary="Debit and credit totals of every account, up to a date",
)
def trial_balance(request: HttpRequest, book: str, as_of: dt.date | None = None) -> Any:
    _reader(request)
    trial = selectors.trial_balance(_book(book), as_of)
    return {
        "book": book,
        "as_of": as_of,
        "debits_fen": trial.debits,
        "credits_fen": trial.credits,
        "balanced": trial.balanced,
        "lines": [
            {
                "account": line.account.code,
                "debits_fen": line.debits,
                "credits_fen": line.credits,
                "balance_fen": line.balance,
                "balance": yuan(line.balance),
            }
            for line in trial.lines
        ],
    }


@router.get(
    "/accounts/{code}/statement",
    response=StatementOut,
    summary="An account's postings over [start, end) with running balances",
)
def statement(
    request: HttpRequest, code: str, start: dt.date | None = None, end: dt.date | None = None
) -> Any:
    account = scoping.get_readable(_reader(request), Account, code=code)
    start = start or today().replace(month=1, day=1)
    end = end or today() + dt.timedelta(days=1)
    if end < start:
        raise HttpError(422, "end must not be before start (the period is [start, end)).")
    s = selectors.account_statement(account, start, end)
    return {
        "account": code,
        "start": start,
        "end": end,
        "opening_fen": s.opening,
        "closing_fen": s.closing,
        "opening": yuan(s.opening),
        "closing": yuan(s.closing),
        "lines": [
            {
                "date": line.date,
                "entry_id": line.entry_id,
                "memo": line.memo,
                "debit_fen": line.debit,
                "credit_fen": line.credit,
                "balance_fen": line.balance,
            }
            for line in s.lines
        ],
    }


@router.get("/entries", response=list[EntryOut], summary="Journal entries, newest first")
@paginate(PageNumberPagination, page_size=100)
def entries(request: HttpRequest, book: str | None = None, account: str | None = None) -> Any:
    user = _reader(request)
    acct = scoping.get_readable(user, Account, code=account) if account else None
    return selectors.entries(
        scoping.readable(user, Entry), book=_book(book) if book else None, account=acct
    ).prefetch_related("reversals", "postings__account")


@router.get("/entries/{entry_id}", response=EntryOut, summary="One journal entry")
def entry(request: HttpRequest, entry_id: int) -> Any:
    return scoping.get_readable(_reader(request), Entry, pk=entry_id)
