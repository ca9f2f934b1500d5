"""`patientcap ledger verify` passes sound books and exits non-zero, naming each breach, when
the stored books were tampered with (behind the database's guards, which the tests lift)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from tests.integration.audit.tampering import tamper

from patientcap.domain.ledger import content_hash, credit, debit
from patientcap.ledger.models import Account, Entry
from patientcap.ledger.services import post_entry, reverse_entry

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 8, 1)
CASH, CONTRIB, INVEST = "fiscal_pool.cash", "fiscal_pool.contributions", "fiscal_pool.invest_first"


@pytest.fixture
def books() -> dict[str, Entry]:
    fund = post_entry(
        book="fiscal_pool",
        date=DAY,
        memo="Budget",
        idempotency_key="budget",
        postings=[debit(CASH, 1_000), credit(CONTRIB, 1_000)],
        actor=None,
    )
    spend = post_entry(
        book="fiscal_pool",
        date=DAY,
        memo="Invest",
        idempotency_key="invest",
        postings=[debit(INVEST, 400), credit(CASH, 400)],
        actor=None,
    )
    undo = reverse_entry(entry=spend, reason="wrong firm", actor=None, date=DAY)
    return {"fund": fund, "spend": spend, "undo": undo}


def run_verify() -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("ledger", "verify", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def account_id(code: str) -> int:
    return Account.objects.get(code=code).pk


def test_sound_books_verify(books):
    ok, output = run_verify()
    assert ok, output
    assert "every invariant holds" in output


def test_an_edited_memo_breaks_the_idempotency_hash(books):
    tamper("UPDATE ledger_entry SET memo = 'Budget (edited)' WHERE id = %s", [books["fund"].pk])
    ok, output = run_verify()
    assert not ok
    assert f"BREACH entry {books['fund'].pk}: content differs from its idempotency hash" in output


def test_an_edited_amount_unbalances_the_entry_and_the_cached_balance(books):
    tamper(
        "UPDATE ledger_posting SET amount = 1500 WHERE entry_id = %s AND account_id = %s",
        [books["fund"].pk, account_id(CASH)],
    )
    ok, output = run_verify()
    assert not ok
    assert f"entry {books['fund'].pk}: does not balance" in output
    assert "account fiscal_pool.cash: cached balance 1000 fen, sum of postings 1500 fen" in output
    assert "ledger verify: " in output and "breach(es) found" in output


def test_a_deleted_posting_leaves_an_entry_with_one_leg(books):
    tamper(
        "DELETE FROM ledger_posting WHERE entry_id = %s AND account_id = %s",
        [books["fund"].pk, account_id(CONTRIB)],
    )
    ok, output = run_verify()
    assert not ok
    assert f"entry {books['fund'].pk}: has 1 posting(s)" in output


def test_a_cached_balance_out_of_step_with_its_postings_is_reported(books):
    tamper(
        "UPDATE ledger_balance SET balance = balance + 1 WHERE account_id = %s",
        [account_id(INVEST)],
    )
    ok, output = run_verify()
    assert not ok and "account fiscal_pool.invest_first: cached balance 1 fen" in output


def test_an_overdraft_slipped_past_the_guards_is_reported(books):
    tamper("UPDATE ledger_posting SET amount = 5000 WHERE entry_id = %s", [books["spend"].pk])
    tamper("UPDATE ledger_posting SET amount = 5000 WHERE entry_id = %s", [books["undo"].pk])
    ok, output = run_verify()
    assert not ok
    assert f"entry {books['spend'].pk}: fiscal_pool.cash went negative" in output
    assert "account fiscal_pool.cash: negative" not in output  # the reversal restores the day


def test_a_reversal_that_no_longer_mirrors_its_original_is_reported(books):
    tamper(
        "UPDATE ledger_posting SET account_id = %s WHERE entry_id = %s AND account_id = %s",
        [account_id("fiscal_pool.write_off_losses"), books["undo"].pk, account_id(INVEST)],
    )
    ok, output = run_verify()
    assert not ok
    assert f"entry {books['undo'].pk}: does not mirror entry {books['spend'].pk}" in output


def test_an_entry_moved_to_the_other_book_is_reported(books):
    tamper(
        "UPDATE ledger_entry SET book = 'risk_compensation_pool' WHERE id = %s", [books["fund"].pk]
    )
    ok, output = run_verify()
    assert not ok
    assert "posts to fiscal_pool.cash of book fiscal_pool, not risk_compensation_pool" in output


def test_an_entry_edited_along_with_its_hash_is_caught_against_the_audit_trail(books):
    fund = books["fund"]
    forged = content_hash(
        book="fiscal_pool",
        date=DAY,
        memo="Budget (edited)",
        reversal_of=None,
        postings=[(CASH, "D", 1_000), (CONTRIB, "C", 1_000)],
    )
    tamper(
        "UPDATE ledger_entry SET memo = 'Budget (edited)', content_hash = %s WHERE id = %s",
        [forged, fund.pk],
    )
    ok, output = run_verify()
    assert not ok
    assert "content differs" not in output
    assert f"entry {fund.pk}: its content hash is not the one the audit trail recorded" in output


def test_a_posting_whose_entry_or_account_is_gone_is_reported(books):
    tamper(
        "UPDATE ledger_posting SET entry_id = 999999 WHERE entry_id = %s AND account_id = %s",
        [books["fund"].pk, account_id(CASH)],
    )
    tamper(
        "UPDATE ledger_posting SET account_id = 999999 WHERE entry_id = %s AND account_id = %s",
        [books["fund"].pk, account_id(CONTRIB)],
    )
    ok, output = run_verify()
    assert not ok
    assert "belongs to entry 999999, which does not exist" in output
    assert "names an account that does not exist" in output
