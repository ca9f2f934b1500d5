"""The ledger's pure domain: entries valid by construction, balances that refuse what must not
happen, and the re-check of stored books."""

import datetime as dt
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain.ledger import (
    CHART,
    FISCAL_POOL,
    RISK_COMPENSATION_POOL,
    BackdatedWithdrawal,
    Balances,
    BookAudit,
    InvalidEntry,
    JournalEntry,
    Posting,
    Side,
    StoredEntry,
    StoredPosting,
    UnbalancedEntry,
    WouldGoNegative,
    check_accounts,
    content_hash,
    credit,
    debit,
    realisation,
)

DAY = dt.date(2025, 3, 3)
CASH, CONTRIB, INVEST = "fiscal_pool.cash", "fiscal_pool.contributions", "fiscal_pool.invest_first"


def entry(
    *postings: Posting,
    key: str = "k1",
    date: dt.date = DAY,
    memo: str = "memo",
    book: str = FISCAL_POOL,
) -> JournalEntry:
    return JournalEntry(book=book, date=date, memo=memo, idempotency_key=key, postings=postings)


def test_a_balanced_entry_moves_each_account_on_its_normal_side():
    e = entry(debit(CASH, 500), credit(CONTRIB, 500))
    assert e.deltas(CHART) == {CASH: 500, CONTRIB: 500}
    out = entry(debit(INVEST, 200), credit(CASH, 200))
    assert out.deltas(CHART) == {INVEST: 200, CASH: -200}


def test_an_unbalanced_entry_is_refused_with_both_totals():
    with pytest.raises(UnbalancedEntry) as exc:
        entry(debit(CASH, 500), credit(CONTRIB, 400))
    assert "debits ¥5.00, credits ¥4.00 (difference ¥1.00)" in str(exc.value)


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, 10**15 + 1])
def test_amounts_must_be_whole_positive_fen_within_range(amount):
    with pytest.raises(InvalidEntry, match="whole number of fen above 0"):
        entry(Posting(CASH, Side.DEBIT, amount), Posting(CONTRIB, Side.CREDIT, amount))


def test_an_entry_needs_two_postings():
    with pytest.raises(InvalidEntry, match="at least two postings"):
        entry(debit(CASH, 5))


def test_an_account_may_not_appear_twice_in_one_entry():
    with pytest.raises(InvalidEntry, match="appears twice"):
        entry(debit(CASH, 5), credit(CASH, 5))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("book", "petty_cash", "Unknown book"),
        ("memo", "  ", "memo must be 1 to"),
        ("idempotency_key", "", "idempotency key must be 1 to"),
        ("date", dt.datetime(2025, 1, 1, 9), "calendar date"),
    ],
)
def test_malformed_headers_are_refused(field, value, message):
    fields = {
        "book": FISCAL_POOL,
        "date": DAY,
        "memo": "m",
        "idempotency_key": "k",
        "postings": (debit(CASH, 5), credit(CONTRIB, 5)),
        field: value,
    }
    with pytest.raises(InvalidEntry, match=message):
        JournalEntry(**fields)


def test_an_entry_never_spans_books():
    e = entry(debit(CASH, 5), credit("risk_compensation_pool.contributions", 5))
    with pytest.raises(InvalidEntry, match="never spans books"):
        check_accounts(e, CHART)


def test_an_unknown_account_is_refused():
    with pytest.raises(InvalidEntry, match="Unknown account"):
        check_accounts(entry(debit(CASH, 5), credit("fiscal_pool.nowhere", 5)), CHART)


def test_the_content_hash_ignores_posting_order_but_not_content():
    a = entry(debit(CASH, 5), credit(CONTRIB, 5))
    b = entry(credit(CONTRIB, 5), debit(CASH, 5))
    assert a.content_hash == b.content_hash
    assert a.content_hash != entry(debit(CASH, 5), credit(CONTRIB, 5), memo="other").content_hash
    assert a.content_hash != entry(debit(CASH, 6), credit(CONTRIB, 6)).content_hash
    assert (
        a.content_hash
        != entry(debit(CASH, 5), credit(CONTRIB, 5), date=DAY + dt.timedelta(days=1)).content_hash
    )


def test_a_reversal_mirrors_every_posting_and_names_its_original():
    original = entry(debit(INVEST, 300), credit(CASH, 300))
    mirror = original.mirror(original_id=7, date=DAY, memo="undo", idempotency_key="r7")
    assert mirror.reversal_of == 7
    assert {(p.account, p.side, p.amount) for p in mirror.postings} == {
        (INVEST, Side.CREDIT, 300),
        (CASH, Side.DEBIT, 300),
    }


def test_a_floored_account_refuses_to_go_negative_and_names_the_figures():
    state = Balances({CASH: 100})
    with pytest.raises(WouldGoNegative) as exc:
        state.apply(entry(debit(INVEST, 150), credit(CASH, 150)), CHART)
    assert "balance is ¥1.00" in str(exc.value) and "-¥1.50" in str(exc.value)
    assert state.balance == {CASH: 100}


def test_money_may_not_leave_a_floored_account_before_its_latest_entry():
    state = Balances({CASH: 100}, {CASH: DAY})
    with pytest.raises(BackdatedWithdrawal, match="not on 2025-03-02"):
        state.apply(entry(debit(INVEST, 10), credit(CASH, 10), date=DAY - dt.timedelta(1)), CHART)
    state.apply(entry(debit(CASH, 10), credit(CONTRIB, 10), date=DAY - dt.timedelta(1)), CHART)
    assert state.balance[CASH] == 110 and state.last_date[CASH] == DAY


def test_accounts_without_a_floor_may_go_negative():
    state = Balances()
    state.apply(entry(debit(CASH, 10), credit(CONTRIB, 10)), CHART)
    state.apply(entry(debit(CONTRIB, 30), credit(INVEST, 30)), CHART)
    assert state.balance == {CASH: 10, CONTRIB: -20, INVEST: -30}


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 500), st.integers(0, 5)), max_size=40))
def test_a_floored_account_is_never_negative_in_order_nor_at_the_end_of_any_date(moves):
    """Whatever is attempted, what Balances accepts keeps cash ≥ 0 in posting order and at the
    end of every business date (the reason for the backdating rule)."""
    state, accepted = Balances(), []
    for n, (inflow, amount, day) in enumerate(moves):
        date = DAY + dt.timedelta(days=day)
        legs = (
            (debit(CASH, amount), credit(CONTRIB, amount))
            if inflow
            else (debit(INVEST, amount), credit(CASH, amount))
        )
        e = entry(*legs, key=str(n), date=date)
        try:
            state.apply(e, CHART)
        except (WouldGoNegative, BackdatedWithdrawal):
            continue
        accepted.append((date, e.deltas(CHART)[CASH]))
        assert state.balance.get(CASH, 0) >= 0
    for cutoff in {d for d, _ in accepted}:
        assert sum(delta for d, delta in accepted if d <= cutoff) >= 0


def stored(id_, *legs, book=FISCAL_POOL, reversal_of=None, memo="m", date=DAY, hash_=None):
    postings = tuple(StoredPosting(a, s, n, date) for a, s, n in legs)
    digest = hash_ or content_hash(
        book=book,
        date=date,
        memo=memo,
        reversal_of=reversal_of,
        postings=[(a, s, n) for a, s, n in legs],
    )
    return StoredEntry(id_, book, date, memo, f"k{id_}", digest, reversal_of, postings)


def test_the_book_audit_passes_sound_books():
    audit = BookAudit(CHART)
    audit.add(stored(1, (CASH, "D", 100), (CONTRIB, "C", 100)))
    audit.add(stored(2, (INVEST, "D", 40), (CASH, "C", 40)))
    audit.add(stored(3, (INVEST, "C", 40), (CASH, "D", 40), reversal_of=2))
    assert audit.finish({CASH: 100, CONTRIB: 100, INVEST: 0}) == []


def test_the_book_audit_reports_every_kind_of_breach():
    audit = BookAudit(CHART)
    audit.add(stored(1, (CASH, "D", 100), (CONTRIB, "C", 90)))  # unbalanced
    audit.add(stored(2, (CASH, "C", 500), (INVEST, "D", 500)))  # overdraws cash
    audit.add(stored(3, (CASH, "D", 5), ("risk_compensation_pool.cash", "C", 5)))  # two books
    audit.add(stored(4, (CASH, "D", 5), (CONTRIB, "C", 5), hash_="0" * 64))  # edited
    audit.add(stored(5, (CASH, "D", 5), (CONTRIB, "C", 5), reversal_of=2))  # not a mirror
    audit.add(stored(6, (INVEST, "C", 500), (CASH, "D", 500), reversal_of=2))  # second reversal
    audit.add(stored(7, (CASH, "D", 0), (CONTRIB, "C", 0)))  # zero amounts
    breaches = [str(b) for b in audit.finish({CASH: 1})]
    expected = [
        "entry 1: does not balance",
        "entry 2: fiscal_pool.cash went negative",
        "entry 3: posts to risk_compensation_pool.cash of book risk_compensation_pool",
        "entry 4: content differs",
        "entry 5: does not mirror entry 2",
        "entry 6: reverses entry 2, already reversed by 5",
        "entry 7: posting to fiscal_pool.cash has amount 0",
        "book fiscal_pool: trial balance is off",
        "account fiscal_pool.cash: cached balance 1 fen",
    ]
    for text in expected:
        assert any(b.startswith(text) for b in breaches), (text, breaches)


def test_the_book_audit_checks_balances_at_the_end_of_each_business_date():
    audit = BookAudit(CHART)
    later, earlier = DAY, DAY - dt.timedelta(days=1)
    audit.check_dated_balances(CASH, [(earlier, -50), (later, 100)])
    audit.check_dated_balances(CASH, [(earlier, 100), (earlier, -50), (later, -50)])
    assert [str(b) for b in audit.breaches] == [
        "account fiscal_pool.cash: negative (-50 fen) at the end of 2025-03-02"
    ]


def test_each_book_has_a_cash_account_that_must_not_go_negative():
    for book in (FISCAL_POOL, RISK_COMPENSATION_POOL):
        floored = [a for a in CHART.values() if a.book == book and a.must_not_go_negative]
        assert [a.code for a in floored] == [f"{book}.cash"]


@given(
    memo=st.text(min_size=1, max_size=30),
    legs=st.lists(
        st.tuples(st.sampled_from(sorted(CHART)), st.sampled_from("DC"), st.integers(1, 10**15)),
        min_size=1,
        max_size=4,
    ),
    reversal_of=st.one_of(st.none(), st.integers(1, 10**9)),
)
def test_the_content_hash_is_canonical_json(memo, legs, reversal_of):
    body = {
        "book": FISCAL_POOL,
        "date": DAY.isoformat(),
        "memo": memo,
        "reversal_of": reversal_of,
        "postings": sorted([a, s, n] for a, s, n in legs),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert (
        content_hash(book=FISCAL_POOL, date=DAY, memo=memo, reversal_of=reversal_of, postings=legs)
        == hashlib.sha256(text.encode()).hexdigest()
    )


def test_a_realisation_books_the_holding_at_cost_and_the_difference_as_gain_or_loss():
    assert realisation("fiscal_pool.angel_fund", 100, 150) == [
        credit("fiscal_pool.angel_fund", 100),
        debit("fiscal_pool.cash", 150),
        credit("fiscal_pool.realised_gains", 50),
    ]
    assert realisation("fiscal_pool.invest_first", 100, 0) == [
        credit("fiscal_pool.invest_first", 100),
        debit("fiscal_pool.realised_losses", 100),
    ]
    assert realisation("fiscal_pool.angel_fund", 0, 0) == []
