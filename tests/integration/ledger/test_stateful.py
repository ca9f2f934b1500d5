"""A stateful property test: random entries, replays, conflicting replays and reversals go
through the real services on the real database, and an independent in-memory model (a dict of
balances, the used keys, the reversed entries) predicts every outcome: the balances after each
success, and the exact refusal (unbalanced, would go negative, backdated withdrawal, idempotency
conflict, already reversed), after which nothing may have changed.

The model knows nothing of the domain module: it re-states the rules in a few lines.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from patientcap.audit.models import AuditEntry
from patientcap.audit.services import verify as verify_audit
from patientcap.domain.ledger import (
    AlreadyReversed,
    BackdatedWithdrawal,
    IdempotencyConflict,
    Posting,
    Side,
    UnbalancedEntry,
    WouldGoNegative,
)
from patientcap.ledger.models import Balance, Entry
from patientcap.ledger.services import post_entry, reverse_entry
from patientcap.ledger.verification import verify as verify_ledger

# The model's own view of the chart: book -> {account: (normal side, must not go negative)}
BOOKS = {
    "fiscal_pool": {
        "fiscal_pool.cash": ("D", True),
        "fiscal_pool.contributions": ("C", False),
        "fiscal_pool.invest_first": ("D", False),
        "fiscal_pool.write_off_losses": ("D", False),
    },
    "risk_compensation_pool": {
        "risk_compensation_pool.cash": ("D", True),
        "risk_compensation_pool.contributions": ("C", False),
        "risk_compensation_pool.compensation_paid": ("D", False),
    },
}
NORMAL = {code: side for accounts in BOOKS.values() for code, (side, _) in accounts.items()}
FLOORED = {code for accounts in BOOKS.values() for code, (_, f) in accounts.items() if f}
DATES = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(4)]
KEYS = [f"key-{n}" for n in range(6)]


@st.composite
def proposals(draw):
    """An entry as a caller might send it: two or three legs in one book, balanced unless
    `skew` says otherwise."""
    book = draw(st.sampled_from(sorted(BOOKS)))
    accounts = draw(
        st.lists(st.sampled_from(sorted(BOOKS[book])), min_size=2, max_size=3, unique=True)
    )
    amounts = [draw(st.integers(1, 300)) for _ in accounts[1:]]
    skew = draw(st.sampled_from([0, 0, 0, 0, 1]))
    first_side = draw(st.sampled_from("DC"))
    other_side = "C" if first_side == "D" else "D"
    legs = [(accounts[0], first_side, sum(amounts) + skew)]
    legs += [(a, other_side, n) for a, n in zip(accounts[1:], amounts, strict=True)]
    return {
        "book": book,
        "legs": tuple(legs),
        "date": draw(st.sampled_from(DATES)),
        "memo": draw(st.sampled_from(["a", "b"])),
        "key": draw(st.sampled_from(KEYS)),
    }


class LedgerModel(RuleBasedStateMachine):
    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self._transaction = transaction.atomic()  # each example starts from the same books
        self._transaction.__enter__()
        self.balances = {code: 0 for code in NORMAL}
        self.last_date: dict[str, dt.date] = {}
        self.keys: dict[tuple[str, str], tuple] = {}  # (book, key) -> (content, entry id)
        self.entries: dict[int, tuple[str, tuple]] = {}  # id -> (book, legs)
        self.reversed: dict[int, tuple[int, str, dt.date]] = {}  # id -> (reversal, reason, date)
        self.audit_entries = AuditEntry.objects.count()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._transaction.__exit__(None, None, None)

    # --- the model's rules ------------------------------------------------------------------
    def _refusal(self, legs: tuple, date: dt.date) -> type[Exception] | None:
        for code, side, amount in sorted(legs):
            delta = amount if side == NORMAL[code] else -amount
            if code in FLOORED and self.balances[code] + delta < 0:
                return WouldGoNegative
            if code in FLOORED and delta < 0 and date < self.last_date.get(code, date):
                return BackdatedWithdrawal
        return None

    def _apply(self, entry_id: int, book: str, legs: tuple, date: dt.date) -> None:
        for code, side, amount in legs:
            self.balances[code] += amount if side == NORMAL[code] else -amount
            if self.last_date.get(code, date) <= date:
                self.last_date[code] = date
        self.entries[entry_id] = (book, legs)
        self.audit_entries += 1

    def _expect_refusal(self, error: type[Exception], attempt) -> None:
        event(f"refused: {error.__name__}")
        before = self._state()
        with pytest.raises(error):
            attempt()
        assert self._state() == before, "a refused operation changed something"

    def _state(self) -> tuple:
        return (
            Entry.objects.count(),
            AuditEntry.objects.count(),
            dict(Balance.objects.values_list("account__code", "balance")),
        )

    # --- rules ----------------------------------------------------------------------------------
    @rule(target=posted, p=proposals())
    def post(self, p):
        legs, book, key = p["legs"], p["book"], p["key"]
        content = (book, p["date"], p["memo"], tuple(sorted(legs)))

        def attempt():
            return post_entry(
                book=book,
                date=p["date"],
                memo=p["memo"],
                idempotency_key=key,
                actor=None,
                postings=[Posting(a, Side(s), n) for a, s, n in legs],
            )

        debits = sum(n for _, s, n in legs if s == "D")
        if debits != sum(n for _, s, n in legs if s == "C"):
            self._expect_refusal(UnbalancedEntry, attempt)
            return -1
        if (book, key) in self.keys:
            stored_content, entry_id = self.keys[(book, key)]
            if stored_content != content:
                self._expect_refusal(IdempotencyConflict, attempt)
                return -1
            before = self._state()
            assert attempt().pk == entry_id
            assert self._state() == before, "a replay wrote something"
            return entry_id
        if (refusal := self._refusal(legs, p["date"])) is not None:
            self._expect_refusal(refusal, attempt)
            return -1
        entry = attempt()
        event("posted")
        assert not entry.replayed
        self.keys[(book, key)] = (content, entry.pk)
        self._apply(entry.pk, book, legs, p["date"])
        return entry.pk

    @precondition(lambda self: self.entries)
    @rule(
        target=posted,
        original=posted,
        date=st.sampled_from(DATES),
        reason=st.sampled_from(["wrong amount", "wrong account"]),
    )
    def reverse(self, original, date, reason):
        if original not in self.entries:
            return -1  # a refused post: nothing to reverse
        book, legs = self.entries[original]
        mirror = tuple((a, "C" if s == "D" else "D", n) for a, s, n in legs)

        def attempt():
            return reverse_entry(entry=original, reason=reason, actor=None, date=date)

        if original in self.reversed:
            reversal_id, *first = self.reversed[original]
            if first != [reason, date]:
                self._expect_refusal(AlreadyReversed, attempt)
                return -1
            before = self._state()
            assert attempt().pk == reversal_id
            assert self._state() == before, "a repeated reversal wrote something"
            return -1
        if (refusal := self._refusal(mirror, date)) is not None:
            self._expect_refusal(refusal, attempt)
            return -1
        reversal = attempt()
        assert reversal.reversal_of_id == original
        self.reversed[original] = (reversal.pk, reason, date)
        self._apply(reversal.pk, book, mirror, date)
        return reversal.pk

    @precondition(lambda self: self.reversed)
    @rule(data=st.data())
    def reverse_again(self, data):
        original = data.draw(st.sampled_from(sorted(self.reversed)))
        reversal_id, reason, date = self.reversed[original]
        before = self._state()
        again = reverse_entry(entry=original, reason=reason, actor=None, date=date)
        assert again.pk == reversal_id and again.replayed
        assert self._state() == before

    # --- invariants -------------------------------------------------------------------------
    @invariant()
    def balances_match_the_model(self):
        stored = dict(Balance.objects.values_list("account__code", "balance"))
        assert {code: stored[code] for code in self.balances} == self.balances
        assert all(stored[code] >= 0 for code in FLOORED)

    @invariant()
    def every_success_and_only_successes_wrote_one_audit_entry(self):
        assert AuditEntry.objects.count() == self.audit_entries
        assert Entry.objects.count() == len(self.entries)

    def check_books(self):
        assert verify_ledger() == []
        assert verify_audit() == []


@pytest.mark.django_db
def test_the_ledger_behaves_like_its_model():
    class Checked(LedgerModel):
        def teardown(self) -> None:
            self.check_books()  # the full re-check once per example, before the rollback
            super().teardown()

    run_state_machine_as_test(
        Checked,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
