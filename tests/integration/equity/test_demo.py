"""The demo's angel fund: its past is booked on its true dates, beside the invest-first past, in
one date-ordered history of the fiscal pool."""

import datetime as dt

import pytest

from patientcap.core import demo
from patientcap.domain.money import parse_amount
from patientcap.equity.demo import ANGEL_ALLOCATION
from patientcap.equity.models import AngelInvestment
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
