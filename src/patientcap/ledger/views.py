"""Ledger pages for zone staff and auditors: the books with their trial balances, an account's
statement over a period, the entries and one entry with its reversal. Everyone else gets 403 (the
pages) or 404 (an entry: "not yours" looks like "does not exist")."""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from patientcap.accounts import scoping
from patientcap.approvals import rules
from patientcap.approvals.registry import get_action
from patientcap.core.clock import today
from patientcap.domain.ledger import BOOKS
from patientcap.domain.money import yuan
from patientcap.ledger import selectors
from patientcap.ledger.models import Account, Entry


def _reader(request: HttpRequest) -> Any:
    user = request.user
    if not scoping.readable(user, Account).exists():
        raise PermissionDenied
    return user


def _may_propose(action: str, user: Any) -> bool:
    spec = get_action(action)
    return spec is not None and rules.refusal_to_propose(user, spec) is None


def _date(request: HttpRequest, name: str, default: dt.date) -> tuple[dt.date, str | None]:
    """A date from the query string, or the default with a message when it cannot be read."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default, None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        return default, _("%(value)s is not a date (YYYY-MM-DD); %(default)s is shown.") % {
            "value": raw,
            "default": default.isoformat(),
        }
    return value, None


@login_required
def books(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    as_of, error = _date(request, "as_of", today())
    readable = scoping.readable(user, Entry)
    context = {
        "as_of": as_of,
        "error": error,
        "may_contribute": _may_propose("ledger.fund_pool", user),
        "books": [
            {
                "trial": selectors.trial_balance(book, as_of),
                "recent": selectors.entries(readable, book=book)[:10],
            }
            for book in BOOKS
        ],
    }
    return render(request, "ledger/books.html", context)


@login_required
def account(request: HttpRequest, code: str) -> HttpResponse:
    user = _reader(request)
    acct = scoping.get_readable(user, Account, code=code)
    end_default = today() + dt.timedelta(days=1)
    start, start_error = _date(request, "start", today().replace(month=1, day=1))
    end, end_error = _date(request, "end", end_default)
    errors = [e for e in (start_error, end_error) if e]
    if end < start:
        errors.append(_("The period ends before it starts; the dates were swapped."))
        start, end = end, start
    statement = selectors.account_statement(acct, start, end)
    return render(
        request,
        "ledger/account.html",
        {
            "account": acct,
            "statement": statement,
            "errors": errors,
            "chart": [[line.date.isoformat(), yuan(line.balance)] for line in statement.lines],
        },
    )


@login_required
def entries(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    book = request.GET.get("book") if request.GET.get("book") in BOOKS else None
    page = Paginator(selectors.entries(scoping.readable(user, Entry), book=book), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "ledger/entries.html", {"page": page, "book": book, "books": list(BOOKS)}
    )


@login_required
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = scoping.get_readable(user, Entry, pk=pk)
    return render(
        request,
        "ledger/entry.html",
        {
            "entry": item,
            "postings": selectors.entry_postings(item),
            "reversed_by": selectors.reversal(item),
            "may_propose_reversal": _may_propose("ledger.reverse_entry", user),
        },
    )
