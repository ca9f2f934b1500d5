"""The cap table page in a real browser: the ownership donut and the ownership-over-rounds chart
are drawn (ECharts canvases), and the waterfall calculator answers in place (HTMX)."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in
from tests.integration.equity.conftest import make_firm
from tests.support import PASSWORD, make_org, make_user

from patientcap.accounts.models import OrganisationType, Role
from patientcap.domain.captable import Investment, ShareClass
from patientcap.equity import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def firm():
    zone = make_org(OrganisationType.ZONE, "Demo Zone")
    officer = make_user("fund_manager", Role.ZONE_OFFICER, zone)
    firm = make_firm({"zone_officer": officer}, 31, "凤鸣光电科技")
    services.open_cap_table(
        enterprise_id=firm.pk, founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
        on=dt.date(2022, 1, 10), actor=officer, source="test", pool_unallocated=1_000_000,
    )  # fmt: skip
    services.record_round(
        enterprise_id=firm.pk, on=dt.date(2023, 3, 1),
        series=ShareClass("Series A", preferred=True, seniority=1),
        pre_money_fen=2_000_000_000, investments=[Investment("红杉", 500_000_000)],
        pool_target=None, actor=officer, source="test",
    )  # fmt: skip
    return firm


def test_the_cap_table_page_draws_the_ownership_charts(firm, live_server, page):
    log_in(page, live_server, "fund_manager", PASSWORD)
    page.goto(f"{live_server.url}/equity/{firm.pk}/")
    expect(page.locator("h1")).to_contain_text("凤鸣光电科技")
    expect(page.locator("#ownership-chart canvas")).to_have_count(1)
    expect(page.locator("#rounds-chart canvas")).to_have_count(1)
    expect(page.locator("table").first).to_contain_text("红杉")


def test_the_waterfall_calculator_answers_in_place(firm, live_server, page):
    log_in(page, live_server, "fund_manager", PASSWORD)
    page.goto(f"{live_server.url}/equity/{firm.pk}/waterfall/")
    page.fill("input[name=exit_yuan]", "5000万")
    page.click("main form button[type=submit]")
    expect(page.locator("#payouts")).to_contain_text("红杉")
    expect(page.locator("#payouts tfoot")).to_contain_text("50,000,000.00")
