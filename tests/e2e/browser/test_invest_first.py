"""Invest-first through a real browser: the zone officer reads the pool's charts (balance over time
and the sankey from the pool to the projects, the exits and back) and walks the demo firm's
project timeline; the firm sees its own project and nothing of the zone's figures."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in

from patientcap.core import demo
from patientcap.investments.models import Project, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings, tmp_path, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(demo, "PROGRAMMES", ("investments",))  # the others build on it
    demo.build(enterprises=60, seed=7, as_of=dt.date(2026, 11, 2))


def test_the_zone_officer_reads_the_pool_charts_and_a_project_timeline(
    demo_zone, live_server, page
):
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/investments/pool/?as_of=2026-11-02")
    expect(page.locator("#balance-chart")).to_have_attribute("data-ready", "1")
    expect(page.locator("#sankey-chart")).to_have_attribute("data-ready", "1")
    assert page.locator("#balance-chart canvas").count() == 1
    assert page.locator("#sankey-chart canvas").count() == 1
    assert "6,300.00万" in page.locator("#invested").inner_text()
    assert "3,400.00万" in page.locator("#returned").inner_text()

    firm_project = Project.objects.filter(stage=Stage.CONVERTED).order_by("enterprise_id").first()
    assert firm_project is not None
    page.goto(f"{live_server.url}/investments/{firm_project.pk}/")
    steps = page.locator("#timeline li")
    assert steps.count() >= 7  # application, review, decision, agreement, 2 tranches, conversion
    assert page.locator("#timeline li").first.get_attribute("class") == "event-application"
    assert page.locator("#timeline li.event-tranche").count() == 2
    assert page.locator("#timeline li.event-conversion").count() == 1
    assert "¥2,000,000.00" in page.locator("#disbursed").inner_text()
    page.locator("#timeline li.event-conversion a").click()
    assert page.url.endswith("#conversion")


def test_the_firm_sees_its_own_project_and_not_the_pool(demo_zone, live_server, page):
    log_in(page, live_server, "firm", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/investments/")
    links = page.locator(".stage-board a")
    expect(links).to_have_count(1)
    links.first.click()
    assert page.locator("#timeline li.event-tranche").count() == 2
    response = page.goto(f"{live_server.url}/investments/pool/")
    assert response is not None and response.status == 403
