"""Posting through the real services on the real database: balances, replays, refusals (each with
a clear message and nothing written), reversals, batches, and the database's own guards."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from patientcap.audit.models import AuditEntry
from patientcap.audit.services import verify as verify_audit
from patientcap.domain.ledger import (
    AlreadyReversed,
    BackdatedWithdrawal,
    IdempotencyConflict,
    InvalidEntry,
    JournalEntry,
    UnbalancedEntry,
    WouldGoNegative,
    credit,
    debit,
)
from patientcap.ledger import selectors
from patientcap.ledger.chart import ensure_chart
from patientcap.ledger.models import Balance, Entry, Posting
from patientcap.ledger.services import post_batch, post_entry, reverse_entry
from patientcap.ledger.verification import verify as verify_ledger

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 5, 6)
FP = "fiscal_pool"
CASH, CONTRIB, INVEST = "fiscal_pool.cash", "fiscal_pool.contributions", "fiscal_pool.invest_first"


def fund(amount: int, key: str = "fund", actor=None, date: dt.date = DAY) -> Entry:
    return post_entry(
        book=FP,
        date=date,
        memo="Budget allocation",
        idempotency_key=key,
        postings=[debit(CASH, amount), credit(CONTRIB, amount)],
        actor=actor,
    )


def invest(amount: int, key: str = "invest", date: dt.date = DAY) -> Entry:
    return post_entry(
        book=FP,
        date=date,
        memo="Invest-first disbursement",
        idempotency_key=key,
        postings=[debit(INVEST, amount), credit(CASH, amount)],
        actor=None,
    )


def snapshot() -> tuple:
    """Everything a refused operation must leave unchanged."""
    return (
        Entry.objects.count(),
        Posting.objects.count(),
        AuditEntry.objects.count(),
        dict(Balance.objects.values_list("account__code", "balance")),
    )


def test_posting_moves_balances_records_the_audit_entry_and_keeps_every_invariant(users):
    audit_before = AuditEntry.objects.count()
    entry = fund(1_000_000, actor=users["zone_officer"])
    invest(300_000)
    assert not entry.replayed
    assert selectors.balance(CASH) == 700_000
    assert selectors.balance(CONTRIB) == 1_000_000
    assert selectors.balance(CASH, DAY) == 700_000
    assert selectors.balance(CASH, DAY - dt.timedelta(days=1)) == 0
    audit = AuditEntry.objects.filter(object_type="ledger.entry", object_id=str(entry.pk)).get()
    assert audit.action == "ledger.entry.post" and audit.actor_name == "zone_officer"
    assert audit.after["postings"] == [[CASH, "D", 1_000_000], [CONTRIB, "C", 1_000_000]]
    assert AuditEntry.objects.count() == audit_before + 2
    assert verify_ledger() == [] and verify_audit() == []


def test_the_same_key_and_content_returns_the_original_and_writes_nothing():
    original = fund(500)
    before = snapshot()
    again = fund(500)
    assert again.replayed and again.pk == original.pk
    assert snapshot() == before


def test_the_same_key_with_other_content_is_refused_and_writes_nothing():
    original = fund(500)
    before = snapshot()
    with pytest.raises(IdempotencyConflict) as exc:
        fund(600)
    assert f"already used in this book for entry #{original.pk}" in str(exc.value)
    assert "Nothing was posted" in str(exc.value)
    assert snapshot() == before


def test_a_replay_gets_the_original_even_after_the_balance_moved_on():
    fund(1_000)
    first = invest(800, key="inv-1")
    invest(200, key="inv-2")
    assert invest(800, key="inv-1").pk == first.pk  # would overdraw if posted again


def test_an_unbalanced_entry_is_refused_with_its_totals_and_nothing_is_written():
    before = snapshot()
    with pytest.raises(UnbalancedEntry, match=r"debits ¥10\.00, credits ¥9\.99"):
        post_entry(
            book=FP,
            date=DAY,
            memo="typo",
            idempotency_key="u1",
            actor=None,
            postings=[debit(CASH, 1000), credit(CONTRIB, 999)],
        )
    assert snapshot() == before


def test_overdrawing_pool_cash_is_refused_with_the_balance_and_nothing_is_written():
    fund(1_000)
    before = snapshot()
    with pytest.raises(WouldGoNegative) as exc:
        invest(1_001)
    assert str(exc.value) == (
        "fiscal_pool.cash must not go negative: its balance is ¥10.00 and "
        "this entry would move it by -¥10.01. Nothing was posted."
    )
    assert snapshot() == before
    invest(1_000, key="exactly-all")
    assert selectors.balance(CASH) == 0


def test_money_cannot_leave_pool_cash_before_its_latest_entry_date():
    fund(1_000, date=DAY)
    before = snapshot()
    with pytest.raises(BackdatedWithdrawal, match="not on 2025-05-05"):
        invest(10, date=DAY - dt.timedelta(days=1))
    assert snapshot() == before
    fund(10, key="late-receipt", date=DAY - dt.timedelta(days=1))  # money in may be backdated
    assert selectors.balance(CASH) == 1_010


def test_an_entry_spanning_books_or_naming_an_unknown_account_is_refused():
    before = snapshot()
    with pytest.raises(InvalidEntry, match="never spans books"):
        post_entry(
            book=FP,
            date=DAY,
            memo="x",
            idempotency_key="x",
            actor=None,
            postings=[debit(CASH, 5), credit("risk_compensation_pool.contributions", 5)],
        )
    with pytest.raises(InvalidEntry, match="Unknown account"):
        post_entry(
            book=FP,
            date=DAY,
            memo="x",
            idempotency_key="x",
            actor=None,
            postings=[debit(CASH, 5), credit("fiscal_pool.nowhere", 5)],
        )
    assert snapshot() == before


def test_a_reversal_mirrors_its_original_and_an_entry_is_reversed_at_most_once(users):
    fund(1_000)
    original = invest(400)
    reversal = reverse_entry(
        entry=original, reason="wrong enterprise", actor=users["reviewer"], date=DAY
    )
    assert reversal.reversal_of_id == original.pk
    assert reversal.memo == f"Reversal of entry #{original.pk}: wrong enterprise"
    assert selectors.balance(CASH) == 1_000 and selectors.balance(INVEST) == 0
    assert selectors.reversal(original).pk == reversal.pk
    legs = {(p.account.code, p.side, p.amount) for p in selectors.entry_postings(reversal)}
    assert legs == {(INVEST, "C", 400), (CASH, "D", 400)}
    before = snapshot()
    again = reverse_entry(entry=original.pk, reason="wrong enterprise", actor=None, date=DAY)
    assert again.pk == reversal.pk and again.replayed
    with pytest.raises(AlreadyReversed, match=f"already reversed by entry #{reversal.pk}"):
        reverse_entry(entry=original, reason="another reason", actor=None, date=DAY)
    with pytest.raises(AlreadyReversed):
        reverse_entry(
            entry=original,
            reason="wrong enterprise",
            actor=None,
            date=DAY,
            idempotency_key="my-own-key",
        )
    assert snapshot() == before
    assert verify_ledger() == []


def test_a_reversal_that_would_overdraw_cash_is_refused():
    contribution = fund(1_000)
    invest(900)
    with pytest.raises(WouldGoNegative):
        reverse_entry(entry=contribution, reason="sent back", actor=None, date=DAY)


def test_a_reversal_needs_a_reason():
    original = fund(10)
    with pytest.raises(InvalidEntry, match="needs a reason"):
        reverse_entry(entry=original, reason=" ", actor=None, date=DAY)


def test_the_database_alone_refuses_a_second_reversal_of_one_entry():
    original = fund(10)
    reverse_entry(entry=original, reason="once", actor=None, date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            book=FP,
            date=DAY,
            memo="again",
            idempotency_key="again",
            content_hash="x",
            reversal_of=original,
            recorded_at=original.recorded_at,
        )


def entries(n: int, start: int = 0, amount: int = 100) -> list[JournalEntry]:
    return [
        JournalEntry(
            book=FP,
            date=DAY,
            memo=f"row {i}",
            idempotency_key=f"row-{i}",
            postings=(debit(CASH, amount), credit(CONTRIB, amount)),
        )
        for i in range(start, start + n)
    ]


def test_a_batch_posts_every_entry_with_its_audit_entry_in_one_transaction():
    audit_before = AuditEntry.objects.count()
    ids = post_batch(entries(50), actor=None)
    assert len(ids) == 50 and len(set(ids)) == 50
    assert list(
        Entry.objects.filter(pk__in=ids).order_by("pk").values_list("idempotency_key", flat=True)
    ) == [f"row-{i}" for i in range(50)]
    assert selectors.balance(CASH) == 5_000
    assert AuditEntry.objects.count() == audit_before + 50
    assert verify_ledger() == [] and verify_audit() == []


def test_a_batch_replays_known_keys_and_posts_only_the_new_ones():
    first = post_batch(entries(3), actor=None)
    second = post_batch(entries(5), actor=None)
    assert second[:3] == first
    assert selectors.balance(CASH) == 500


def test_a_batch_refused_anywhere_writes_nothing_and_names_the_entry():
    fund(100)
    before = snapshot()
    batch = [
        *entries(3),
        JournalEntry(
            book=FP,
            date=DAY,
            memo="too much",
            idempotency_key="big",
            postings=(debit(INVEST, 10_000), credit(CASH, 10_000)),
        ),
    ]
    with pytest.raises(WouldGoNegative, match="Entry 4 of the batch \\(key big\\)"):
        post_batch(batch, actor=None)
    assert snapshot() == before


def test_a_batch_with_one_key_twice_and_different_content_is_refused():
    batch = [*entries(2), *entries(1, amount=7)]
    with pytest.raises(IdempotencyConflict, match="Entries 1 and 3 of the batch"):
        post_batch(batch, actor=None)
    assert not Entry.objects.exists()


def test_a_batch_conflicting_with_a_stored_entry_is_refused():
    post_batch(entries(1), actor=None)
    with pytest.raises(IdempotencyConflict):
        post_batch(entries(1, amount=5), actor=None)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET memo = 'edited'",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_posting SET amount = amount + 1",
        "DELETE FROM ledger_posting",
        "DELETE FROM ledger_balance",
        "DELETE FROM ledger_account",
        "UPDATE ledger_account SET book = 'risk_compensation_pool'",
        "UPDATE ledger_balance SET floor = NOT floor",
    ],
)
def test_the_database_refuses_to_edit_or_delete_posted_books(sql):
    fund(100)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_database_refuses_a_negative_balance_on_a_floored_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(account__code=CASH).update(balance=-1)


def test_the_chart_is_created_once_and_never_changed_behind_the_books_back():
    assert ensure_chart() == []
    codes = set(Balance.objects.values_list("account__code", flat=True))
    assert {CASH, CONTRIB, INVEST, "risk_compensation_pool.cash"} <= codes
