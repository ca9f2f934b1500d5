"""The latest-round method reads the equity app's cap table when it has a priced round: price
per share, today's fully-diluted shares and the round's date; without one the user enters it."""

import datetime as dt

import pytest
from django.test import Client
from tests.integration.valuations.builders import AS_OF

from patientcap.domain.captable import Investment, ShareClass
from patientcap.equity import services as equity
from patientcap.valuations import services

pytestmark = pytest.mark.django_db


def _priced_round(users, firm):
    zone = users["zone_officer"]
    equity.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
        on=dt.date(2023, 1, 1),
        actor=zone,
        source="test",
        pool_unallocated=1_000_000,
    )
    equity.record_round(
        enterprise_id=firm.pk,
        on=dt.date(2023, 3, 1),
        series=ShareClass("Series A", preferred=True, seniority=1),
        pre_money_fen=20_000_000 * 100,
        investments=[Investment("红杉", 5_000_000 * 100)],
        actor=zone,
        source="test",
    )


def test_the_round_comes_from_the_cap_table_and_is_flagged_stale_after_a_year(users, firms):
    assert services.round_from_equity(firms["a"].pk, AS_OF) is None
    _priced_round(users, firms["a"])
    found = services.round_from_equity(firms["a"].pk, AS_OF)
    assert found is not None
    assert (found["price_per_share"], found["fully_diluted_shares"], found["round_date"]) == (
        "2",
        "12500000",
        "2023-03-01",
    )
    outcome = services.evaluate(
        stage="growth", as_of=AS_OF, inputs={"latest_round": found}, rationale="the round"
    )
    result = outcome.computation.computed[services.v.Method.LATEST_ROUND].result
    assert result.value_fen == 25_000_000 * 100  # ¥2 × 12.5M shares
    assert result.stale and result.months_since_round == 27


def test_the_workbench_fills_in_the_round_from_the_cap_table(users, firms):
    _priced_round(users, firms["a"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["zone_officer"])
    page = client.get(f"/valuations/enterprise/{firms['a'].pk}/new/").content.decode()
    assert "filled in from the cap table" in page
    assert 'name="latest_round.fully_diluted_shares" value="12500000"' in page
