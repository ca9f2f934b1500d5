"""Parallel writers on PostgreSQL, each thread on its own connection, all hammering the same
must-not-go-negative account: no posting is lost or doubled, the account never goes negative,
the same key sent by several writers at once is posted exactly once, and both the books and the
audit chains still verify."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from tests.support import on_postgres

from patientcap.audit.services import verify as verify_audit
from patientcap.domain.ledger import WouldGoNegative, credit, debit
from patientcap.ledger import selectors
from patientcap.ledger.models import Entry, Posting
from patientcap.ledger.services import post_entry
from patientcap.ledger.verification import verify as verify_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2025, 7, 1)
CASH, CONTRIB, INVEST = "fiscal_pool.cash", "fiscal_pool.contributions", "fiscal_pool.invest_first"
WRITERS, ATTEMPTS, WITHDRAWAL, FUNDS = 6, 40, 700, 100_000


def _run_writers(work) -> list[Counter]:
    """Start every writer at once; each returns what happened to it."""
    start = threading.Barrier(WRITERS)
    results: list[Counter] = [Counter() for _ in range(WRITERS)]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            work(n, results[n])
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.fixture
def funded():
    if not on_postgres():
        pytest.skip("needs PostgreSQL")
    post_entry(
        book="fiscal_pool",
        date=DAY,
        memo="Budget",
        idempotency_key="budget",
        postings=[debit(CASH, FUNDS), credit(CONTRIB, FUNDS)],
        actor=None,
    )


def test_parallel_withdrawals_never_overdraw_lose_or_double_a_posting(funded):
    def work(n: int, seen: Counter) -> None:
        for i in range(ATTEMPTS):
            try:
                post_entry(
                    book="fiscal_pool",
                    date=DAY,
                    memo=f"writer {n}",
                    idempotency_key=f"w{n}-{i}",
                    actor=None,
                    postings=[debit(INVEST, WITHDRAWAL), credit(CASH, WITHDRAWAL)],
                )
                seen["posted"] += 1
            except WouldGoNegative:
                seen["refused"] += 1
            if i % 5 == 0:  # money keeps arriving while others withdraw
                post_entry(
                    book="fiscal_pool",
                    date=DAY,
                    memo=f"top-up {n}",
                    idempotency_key=f"t{n}-{i}",
                    actor=None,
                    postings=[debit(CASH, 300), credit(CONTRIB, 300)],
                )
                seen["topped up"] += 1

    total = sum(_run_writers(work), Counter())
    assert total["posted"] + total["refused"] == WRITERS * ATTEMPTS
    assert total["refused"] > 0, "the test must actually run the account dry"
    expected = FUNDS + 300 * total["topped up"] - WITHDRAWAL * total["posted"]
    assert selectors.balance(CASH) == expected >= 0
    assert Entry.objects.count() == 1 + total["posted"] + total["topped up"]
    assert Posting.objects.filter(account__code=CASH).count() == Entry.objects.count()
    assert verify_ledger() == []
    assert verify_audit() == []


def test_the_same_key_sent_by_every_writer_at_once_is_posted_exactly_once(funded):
    def work(n: int, seen: Counter) -> None:
        for i in range(10):
            entry = post_entry(
                book="fiscal_pool",
                date=DAY,
                memo="shared",
                actor=None,
                idempotency_key=f"shared-{i}",
                postings=[debit(INVEST, 100), credit(CASH, 100)],
            )
            seen[entry.pk] += 1
            seen["replayed"] += entry.replayed

    total = sum(_run_writers(work), Counter())
    ids = [k for k in total if isinstance(k, int)]
    assert len(ids) == 10 and all(total[k] == WRITERS for k in ids)
    assert total["replayed"] == 10 * (WRITERS - 1)
    assert selectors.balance(CASH) == FUNDS - 10 * 100
    assert verify_ledger() == [] and verify_audit() == []
