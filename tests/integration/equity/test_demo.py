"""The demo's angel fund: its past is booked on its true dates, beside the invest-first past, in
one date-ordered history of the fiscal pool."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patientcap.core import demo
from patientcap.domain.money import parse_amount
from patientcap.equity import selectors
from patientcap.equity.demo import ANGEL_ALLOCATION
from patientcap.equity.models import AngelHolding, AngelInvestment
from patientcap.ledger.models import Entry
from patientcap.ledger.selectors import balance

AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _invest_first_and_angel_only(monkeypatch):
    monkeypatch.setattr(demo, "PROGRAMMES", ("investments", "equity"))


@pytest.mark.django_db
def test_every_angel_investment_is_booked_on_the_day_it_was_made():
    demo.build(enterprises=60, seed=7, as_of=AS_OF)
    booked = AngelInvestment.objects.exclude(entry_id=None)
    assert booked.count() >= 20 and not AngelInvestment.objects.filter(entry_id=None).exists()
    dates = dict(Entry.objects.filter(pk__in=booked.values("entry_id")).values_list("pk", "date"))
    assert all(dates[row.entry_id] == row.on for row in booked)
    assert (
        min(dates.values()).year == 2021
    )  # the fund's first money, not after the invest-first past
    assert not Entry.objects.filter(memo__contains="原发生日").exists()


@pytest.mark.django_db
def test_the_fund_is_allocated_its_money_before_its_first_investment():
    demo.build(enterprises=60, seed=7, as_of=AS_OF)
    first = AngelInvestment.objects.order_by("on").first().on
    day, amount = ANGEL_ALLOCATION
    assert day < first
    before = sum(parse_amount(a) for d, a in demo.FISCAL_CONTRIBUTIONS if d <= first)
    assert balance("fiscal_pool.contributions", first) == before + parse_amount(amount)
    assert balance("fiscal_pool.contributions", AS_OF) == 120_000_000_00


@pytest.mark.django_db
@pytest.mark.parametrize("on", [AS_OF, dt.date(2023, 6, 30)])
def test_the_fund_s_lines_agree_with_each_holding_s_own_reads_in_a_fixed_number_of_queries(on):
    demo.build(enterprises=60, seed=7, as_of=AS_OF)
    holdings = list(AngelHolding.objects.select_related("enterprise").filter(opened_on__lte=on))
    with CaptureQueriesContext(connection) as one:
        selectors.holding_lines(holdings[:1], on)
    with CaptureQueriesContext(connection) as every:
        lines = selectors.holding_lines(holdings, on)
    assert len(holdings) >= 5
    # A table whose snapshot is dated after `on` is replayed: one more query per such firm.
    later = sum(1 for h in holdings if h.enterprise.cap_table_snapshot.event.on > on)
    assert len(every) <= len(one) + later
    for h, line in zip(holdings, lines, strict=True):
        assert line.shares == selectors.holding_shares(h.enterprise_id, h.holder, on)
        assert line.latest_price == selectors.latest_price_per_share(h.enterprise_id, on)
        assert line.invested_fen == sum(i.amount_fen for i in h.investments.filter(on__lte=on))
