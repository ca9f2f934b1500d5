"""Writing to the ledger: post an entry, post a batch, reverse an entry, create the chart.

Each use case validates in the domain first (nothing is written for a malformed entry), then runs
in one transaction with its audit entry. Concurrency (integrity reference §3):

- SQLite: every transaction starts with BEGIN IMMEDIATE (settings), so writers queue for the one
  write lock and a read-then-write never fails half-way.
- PostgreSQL: READ COMMITTED with row locks in a fixed order: balance rows by account id, then
  the audit chain head, both held until commit. The guarded balance UPDATE re-evaluates its guard
  on the newest row version, so a concurrent writer can never push a floored account below zero.
  Deadlocks (40P01) and serialization failures (40001) cannot arise from the ledger's own order,
  but a caller that locks in another order could cause one: when the ledger owns the transaction
  it retries the whole transaction, with the same idempotency key.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from patientcap.domain.ledger import (
    AlreadyReversed,
    InvalidEntry,
    JournalEntry,
    Posting,
    Side,
    check_accounts,
    gettext_noop,
)
from patientcap.ledger import posting
from patientcap.ledger.chart import ensure_chart, stored_chart
from patientcap.ledger.models import Entry

T = TypeVar("T")
RETRY_SQLSTATES = {"40001", "40P01"}
ATTEMPTS = 5
MAX_REASON = 400


def post_entry(
    *,
    book: str,
    date: dt.date,
    memo: str,
    idempotency_key: str,
    postings: Iterable[Posting],
    actor: Any,
    source: str | None = None,
) -> Entry:
    """Post one balanced entry and its audit record in one transaction.

    The same key with the same content returns the original entry (`entry.replayed` is True) and
    writes nothing; the same key with other content raises `IdempotencyConflict`. An unbalanced
    or malformed entry raises `InvalidEntry`; one that would take a must-not-go-negative account
    below zero raises `WouldGoNegative` (`BackdatedWithdrawal` if dated before its latest entry).
    """
    entry = JournalEntry(
        book=book, date=date, memo=memo, idempotency_key=idempotency_key, postings=tuple(postings)
    )
    return _post(entry, actor=actor, source=source or "", action="ledger.entry.post")


def post_batch(
    entries: Sequence[JournalEntry], *, actor: Any, source: str | None = None
) -> list[int]:
    """Post many entries in one transaction, all or nothing (imports, demo data). Every check
    of `post_entry` applies to each entry in order; the first refusal names the entry and
    nothing is written. Returns the entry ids in input order (replays give the original's id).
    """
    entries = list(entries)
    chart = stored_chart({p.account for e in entries for p in e.postings})
    for e in entries:
        check_accounts(e, chart.accounts)

    def run() -> list[int]:
        with transaction.atomic():
            return posting.post_many(
                entries, chart, actor=actor, source=source or "", now=timezone.now()
            )

    with _without_cyclic_gc():
        return _retrying(run)


def reverse_entry(
    *,
    entry: Entry | int,
    reason: str,
    actor: Any,
    date: dt.date | None = None,
    idempotency_key: str | None = None,
) -> Entry:
    """Post the mirror image of `entry` (dated `date`, default today in the zone's time zone).

    An entry is reversed at most once: asking again with the same key and reason returns the
    reversal already posted; anything else raises `AlreadyReversed`.
    """
    original = Entry.objects.prefetch_related("postings__account").get(
        pk=entry.pk if isinstance(entry, Entry) else entry
    )
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidEntry(
            gettext_noop("A reversal needs a reason of 1 to %(n)d characters."), {"n": MAX_REASON}
        )
    mirror = as_journal_entry(original).mirror(
        original_id=original.pk,
        date=date or timezone.localdate(),
        memo=f"Reversal of entry #{original.pk}: {reason.strip()}",
        idempotency_key=idempotency_key or f"reversal-of-{original.pk}",
    )
    existing = Entry.objects.filter(reversal_of=original).first()
    if existing is not None and (existing.idempotency_key, existing.content_hash) != (
        mirror.idempotency_key,
        mirror.content_hash,
    ):
        raise _already_reversed(original, existing)
    try:
        return _post(
            mirror, actor=actor, source=f"ledger.entry:{original.pk}", action="ledger.entry.reverse"
        )
    except IntegrityError:
        # Another reversal of the same entry, under another key, committed first.
        if (existing := Entry.objects.filter(reversal_of=original).first()) is not None:
            raise _already_reversed(original, existing) from None
        raise


def _already_reversed(original: Entry, existing: Entry) -> AlreadyReversed:
    return AlreadyReversed(
        gettext_noop(
            "Entry #%(id)s was already reversed by entry #%(by)s; an entry is "
            "reversed at most once."
        ),
        {"id": original.pk, "by": existing.pk},
    )


def as_journal_entry(entry: Entry) -> JournalEntry:
    """A stored entry as a domain value (to mirror it, or to compare it)."""
    return JournalEntry(
        book=entry.book,
        date=entry.date,
        memo=entry.memo,
        idempotency_key=entry.idempotency_key,
        reversal_of=entry.reversal_of_id,
        postings=tuple(
            Posting(p.account.code, Side(p.side), p.amount) for p in entry.postings.all()
        ),
    )


def _post(entry: JournalEntry, *, actor: Any, source: str, action: str) -> Entry:
    chart = stored_chart(p.account for p in entry.postings)
    check_accounts(entry, chart.accounts)

    def run() -> Entry:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # One statement (`ledger_post`) is a transaction of its own: no BEGIN and no COMMIT
            # round trip, and the audit lane is released the moment the commit is durable.
            return posting.post(
                entry, chart, actor=actor, source=source, action=action, now=timezone.now()
            )
        with transaction.atomic():
            return posting.post(
                entry, chart, actor=actor, source=source, action=action, now=timezone.now()
            )

    return _retrying(run)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """A batch makes hundreds of thousands of small objects, none of them in a reference cycle:
    reference counting frees them all, while the cyclic collector would walk them over and over
    (a third of the batch's time). It is switched back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _retrying(run: Callable[[], T]) -> T:
    """Run a transaction; when it is the outermost one, run it again after a deadlock or a
    serialization failure (PostgreSQL), a few times with a growing pause."""
    if connection.in_atomic_block:
        return run()  # the caller's transaction: only the caller can retry it whole
    attempt = 1
    while True:
        try:
            return run()
        except DatabaseError as exc:
            sqlstate = getattr(exc.__cause__, "sqlstate", None)
            if attempt == ATTEMPTS or sqlstate not in RETRY_SQLSTATES:
                raise
        time.sleep(0.01 * attempt)
        attempt += 1


__all__ = ["as_journal_entry", "ensure_chart", "post_batch", "post_entry", "reverse_entry"]
