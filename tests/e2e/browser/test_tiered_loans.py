"""Tiered loans through a real browser: the first demo bank's officer opens the portfolio at
risk, whose ECharts charts render, then a loan past due with its schedule and balance chart."""

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in

from patientcap.core import demo
from patientcap.core.clock import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    # The base zone and the tiered-loan book (it needs no other programme).
    monkeypatch.setattr(demo, "PROGRAMMES", ("lending",))
    demo.build(enterprises=60, seed=2025, as_of=today())


def test_the_portfolio_at_risk_page_renders_its_charts_and_leads_to_a_loan(
    demo_zone, live_server, page
):
    log_in(page, live_server, "bank", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/lending/portfolio-at-risk/")
    chart = page.locator("#par-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator("#category-chart canvas")).to_have_count(1)
    expect(page.locator("#par30")).to_contain_text("%")
    page.locator("table").last.locator("tbody tr a").first.click()
    expect(page.locator("#balance-chart canvas")).to_have_count(1)
    expect(page.locator("#dpd")).not_to_have_text("0")
