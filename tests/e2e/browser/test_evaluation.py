"""Evaluation through a real browser: the radar of the dimensions renders, and the what-if
panel rescores live (HTMX) as a bank officer changes an input."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in

from patientcap.core import demo
from patientcap.evaluation.models import Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    monkeypatch.setattr(demo, "PROGRAMMES", ("evaluation",))
    demo.build(enterprises=60, seed=7, as_of=dt.date(2026, 11, 2))


def test_the_radar_renders_and_the_what_if_rescores_live(demo_zone, live_server, page):
    ev = (
        Evaluation.objects.filter(ruleset_id="tech-credit-card", evaluated_on=dt.date(2026, 11, 2))
        .exclude(inputs__invention_patents=None)
        .order_by("pk")
        .first()
    )
    assert ev is not None
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/{ev.pk}/")
    expect(page.locator("#radar[data-rendered='1'] canvas")).to_have_count(1)
    drawn = page.evaluate(
        """() => {
            const option = echarts.getInstanceByDom(document.getElementById("radar")).getOption();
            return {axes: option.radar[0].indicator.length, values: option.series[0].data[0].value};
        }"""
    )
    assert drawn["axes"] == 3 and len(drawn["values"]) == 3
    expect(page.locator("#indicators tbody tr")).to_have_count(len(ev.indicators))
    # Wipe out the firm's patents and R&D: the score falls at once, nothing is saved.
    page.fill("input[name=invention_patents]", "0")
    page.fill("input[name=rd_expense_fen]", "0")
    total = page.locator("#whatif-total")
    expect(total).to_be_visible()
    expect(total).not_to_have_text(str(ev.total))
    assert float(total.inner_text()) < float(ev.total)
    series = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("radar"))
                 .getOption().series[0].data.length"""
    )
    assert series == 2  # the stored score and the what-if
    page.fill("input[name=invention_patents]", "9")
    expect(total).not_to_have_text("")
    assert Evaluation.objects.count() == 180
