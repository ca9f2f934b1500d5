"""Valuations through a real browser: the football-field chart of a saved valuation renders, and
the workbench recalculates (HTMX) and draws the live chart as the zone officer edits an input."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in

from patientcap.core import demo
from patientcap.valuations.models import Valuation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    monkeypatch.setattr(demo, "PROGRAMMES", ("valuations",))
    demo.build(enterprises=60, seed=7, as_of=dt.date(2026, 11, 2))


def _chart_series(page, selector):
    return page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            const chart = echarts.getInstanceByDom(el);
            const option = chart.getOption();
            return {series: option.series.length, categories: option.yAxis[0].data.length,
                    canvas: el.querySelectorAll("canvas").length};
        }""",
        selector,
    )


def test_the_football_field_chart_renders_each_method_and_the_chosen_point(
    demo_zone, live_server, page
):
    row = Valuation.objects.filter(state_money=True, state_outcome="needs_approval").first()
    computed = row.results.filter(value_fen__isnull=False).count()
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/valuations/{row.pk}/")
    expect(page.locator("#football[data-drawn='1'] canvas")).to_have_count(1)
    drawn = _chart_series(page, "#football")
    assert drawn["categories"] == computed and drawn["series"] == 3
    expect(page.locator("#state-asset-panel")).to_be_visible()


def test_the_workbench_recalculates_and_draws_the_live_chart(demo_zone, live_server, page):
    row = Valuation.objects.filter(stage="growth", state_money=False).first()
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/valuations/enterprise/{row.enterprise_id}/new/?revise={row.pk}")
    page.fill("input[name='first_chicago.discount_rate']", "0.2")
    page.locator("input[name='first_chicago.discount_rate']").dispatch_event("change")
    expect(page.locator("#live-chart[data-drawn='1'] canvas")).to_have_count(1)
    assert _chart_series(page, "#live-chart")["categories"] >= 2
