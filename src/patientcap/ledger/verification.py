"""`patientcap ledger verify`: every ledger invariant re-checked over the stored books.

Streams the entries with their postings in posting (id) order through the domain's `BookAudit`
(balance, ≥ 2 postings, amounts > 0, one book, each account once, content hash, reversals unique
and mirroring their original, must-not-go-negative accounts never negative in posting order),
checks each must-not-go-negative account at the end of every business date, and compares every
cached balance with the sum of its postings.
"""

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django.db import connection

from patientcap.domain.ledger import Account, BookAudit, Breach, Side, StoredEntry, StoredPosting
from patientcap.ledger import models
from patientcap.ledger.posting import as_date

_ENTRIES = """
SELECT e.id, e.book, e.date, e.memo, e.idempotency_key, e.content_hash, e.reversal_of_id,
       a.code, p.side, p.amount, p.date
  FROM ledger_entry e
  LEFT JOIN ledger_posting p ON p.entry_id = e.id
  LEFT JOIN ledger_account a ON a.id = p.account_id
 ORDER BY e.id, p.id
"""


def verify() -> list[Breach]:
    rows = list(models.Account.objects.all())
    chart = {a.code: Account(a.code, a.name, a.name_zh, a.book, Side(a.normal_side),
                             a.must_not_go_negative) for a in rows}
    audit = BookAudit(chart)
    with connection.cursor() as cursor:
        cursor.execute(_ENTRIES)
        for _, group in groupby(_fetch(cursor), key=lambda r: r[0]):
            lines = list(group)
            first = lines[0]
            audit.add(StoredEntry(
                id=first[0], book=first[1], date=as_date(first[2]), memo=first[3],
                idempotency_key=first[4], content_hash=first[5], reversal_of=first[6],
                postings=tuple(StoredPosting(code, side, amount, as_date(date))
                               for *_, code, side, amount, date in lines if code is not None),
            ))
    for account in rows:
        if not account.must_not_go_negative:
            continue
        sign = 1 if account.normal_side == Side.DEBIT else -1
        audit.check_dated_balances(account.code, (
            (date, sign * (amount if side == Side.DEBIT else -amount))
            for date, side, amount in models.Posting.objects.filter(account=account)
            .order_by("date", "entry_id").values_list("date", "side", "amount").iterator()
        ))
    cached = {}
    for code, balance, floor, must_not in models.Balance.objects.values_list(
        "account__code", "balance", "floor", "account__must_not_go_negative"
    ):
        cached[code] = balance
        if floor != must_not:
            audit.breaches.append(Breach(f"account {code}", "balance row's floor differs from "
                                                            "the account's flag"))
    return audit.finish(cached)


def _fetch(cursor: Any) -> Iterator[tuple]:
    while rows := cursor.fetchmany(5000):
        yield from rows

