"""`patientcap ledger verify`: every ledger invariant re-checked over the stored books.

Streams the entries with their postings in posting (id) order through the domain's `BookAudit`
(balance, ≥ 2 postings, amounts > 0, one book, each account once, content hash, reversals unique
and mirroring their original, must-not-go-negative accounts never negative in posting order),
checks each must-not-go-negative account at the end of every business date, compares every
cached balance with the sum of its postings, and binds the books to the audit trail: each entry's
content hash must be the one its audit entry recorded when it was posted (an entry edited along
with its hash is caught here; an edited audit entry by `patientcap audit verify`).
"""

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django.db import connection

from patientcap.audit.models import AuditEntry
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


# Postings have no foreign-key constraints (see the model): this is where a lost link shows.
_ORPHANS = """
SELECT p.id, p.entry_id, a.id
  FROM ledger_posting p
  LEFT JOIN ledger_entry e ON e.id = p.entry_id
  LEFT JOIN ledger_account a ON a.id = p.account_id
 WHERE e.id IS NULL OR a.id IS NULL
 ORDER BY p.id
"""


def verify() -> list[Breach]:
    rows = list(models.Account.objects.all())
    chart = {
        a.code: Account(
            a.code, a.name, a.name_zh, a.book, Side(a.normal_side), a.must_not_go_negative
        )
        for a in rows
    }
    audit = BookAudit(chart)
    recorded = _recorded_hashes()
    with connection.cursor() as cursor:
        cursor.execute(_ENTRIES)
        for _, group in groupby(_fetch(cursor), key=lambda r: r[0]):
            lines = list(group)
            first = lines[0]
            audit.add(
                StoredEntry(
                    id=first[0],
                    book=first[1],
                    date=as_date(first[2]),
                    memo=first[3],
                    idempotency_key=first[4],
                    content_hash=first[5],
                    reversal_of=first[6],
                    postings=tuple(
                        StoredPosting(code, side, amount, as_date(date))
                        for *_, code, side, amount, date in lines
                        if code is not None
                    ),
                )
            )
            if recorded.get(first[0]) != first[5]:
                audit.breaches.append(
                    Breach(
                        f"entry {first[0]}",
                        "its content hash is not the "
                        "one the audit trail recorded when it was posted",
                    )
                )
    with connection.cursor() as cursor:
        cursor.execute(_ORPHANS)
        for posting_id, entry_id, account_id in cursor.fetchall():
            audit.breaches.append(
                Breach(
                    f"posting {posting_id}",
                    (
                        f"belongs to entry {entry_id}, which does not exist"
                        if account_id is not None
                        else "names an account that does not exist"
                    ),
                )
            )
    for account in rows:
        if not account.must_not_go_negative:
            continue
        sign = 1 if account.normal_side == Side.DEBIT else -1
        audit.check_dated_balances(
            account.code,
            (
                (date, sign * (amount if side == Side.DEBIT else -amount))
                for date, side, amount in models.Posting.objects.filter(account=account)
                .order_by("date", "entry_id")
                .values_list("date", "side", "amount")
                .iterator()
            ),
        )
    cached = {}
    for code, balance, floor, must_not in models.Balance.objects.values_list(
        "account__code", "balance", "floor", "account__must_not_go_negative"
    ):
        cached[code] = balance
        if floor != must_not:
            audit.breaches.append(
                Breach(f"account {code}", "balance row's floor differs from the account's flag")
            )
    return audit.finish(cached)


def _recorded_hashes() -> dict[int, str]:
    """Entry id -> the content hash its posting's audit entry recorded."""
    return {
        int(object_id): json.loads(after)["content_hash"]
        for object_id, after in AuditEntry.objects.filter(
            object_type="ledger.entry", action__in=["ledger.entry.post", "ledger.entry.reverse"]
        )
        .values_list("object_id", "after_json")
        .iterator(chunk_size=5000)
    }


def _fetch(cursor: Any) -> Iterator[tuple]:
    while rows := cursor.fetchmany(5000):
        yield from rows
