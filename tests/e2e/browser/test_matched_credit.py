"""Matched credit through a real browser: the first demo bank's officer opens the queue of
pending decisions and sees each file's working-day countdown, the overdue file flagged, and
opens a file with its clock and pauses."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in

from patientcap.core import demo
from patientcap.core.clock import today
from patientcap.investments import selectors as investments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    # Every firm holds invest-first money from before the pilot, whatever the investments demo
    # gives, so that the queue has files in every state.
    # The programmes up to matched credit (lending builds on it, not the other way round).
    monkeypatch.setattr(
        demo, "PROGRAMMES", demo.PROGRAMMES[: demo.PROGRAMMES.index("matching") + 1]
    )
    monkeypatch.setattr(
        investments,
        "public_investment_fen",
        lambda enterprise_id, on: 200_000_000 if on >= dt.date(2025, 11, 20) else 0,
    )
    demo.build(enterprises=60, seed=7, as_of=today())


def test_the_bank_queue_shows_the_working_day_countdown_and_flags_the_overdue_file(
    demo_zone, live_server, page
):
    log_in(page, live_server, "bank", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/matching/")
    countdowns = page.locator("td.countdown")
    expect(countdowns.first).to_be_visible()
    texts = countdowns.all_inner_texts()
    assert any(re.search(r"\d", t) for t in texts), texts
    overdue = page.locator("tr.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue.locator("mark")).to_be_visible()
    overdue.locator("a").first.click()
    expect(page.locator("#clock .countdown")).to_be_visible()
    expect(page.locator("#clock table tbody tr")).not_to_have_count(0)  # its pauses
