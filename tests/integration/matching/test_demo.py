"""The matched-credit part of the demo: the demo firm's ¥2,000,000 matched 1:1 and disbursed by
the first bank on time; files at both banks in every state; deterministic; and firms without a
qualifying investment skipped rather than failed."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from patientcap.core import demo
from patientcap.core.clock import today
from patientcap.investments import selectors as investments
from patientcap.matching import selectors
from patientcap.matching.models import Application, Status
from patientcap.policy.calendar import official_years, working_calendar
from patientcap.policy.models import CalendarYear

pytestmark = pytest.mark.django_db(transaction=False)


def every_firm_invested(monkeypatch, amount_fen: int = 200_000_000) -> None:
    """Stand-in for the investments demo: every firm received its money before the pilot."""
    # The programmes up to matched credit (lending builds on it, not the other way round).
    monkeypatch.setattr(
        demo, "PROGRAMMES", demo.PROGRAMMES[: demo.PROGRAMMES.index("matching") + 1]
    )
    monkeypatch.setattr(
        investments,
        "public_investment_fen",
        lambda enterprise_id, on: amount_fen if on >= dt.date(2025, 11, 20) else 0,
    )


def summary_of_files() -> list[tuple]:
    return list(
        Application.objects.order_by("pk").values_list(
            "enterprise__uscc", "bank__name", "status", "requested_fen", "applied_on",
            "dd_completed_on", "disbursed_on",
        )
    )  # fmt: skip


def test_the_demo_firm_gets_its_two_million_and_every_state_is_shown(monkeypatch):
    every_firm_invested(monkeypatch)
    demo.build(enterprises=60, as_of=today())
    firm = Application.objects.get(enterprise__organisation__users__username="firm")
    assert firm.bank.users.filter(username="bank").exists()
    assert (firm.status, firm.disbursed_fen, firm.invest_first_fen) == (
        Status.DISBURSED, 200_000_000, 200_000_000,
    )  # fmt: skip
    cal = working_calendar()
    assert selectors.clock_state(firm, cal, today()).met
    states = Counter(Application.objects.values_list("status", flat=True))
    assert set(states) == set(Status.values)
    assert Application.objects.values("bank").distinct().count() == 2
    rows = selectors.queue(Application.objects.all(), cal, today())
    assert sum(r.clock.overdue for r in rows) == 1
    assert any(r.clock.paused for r in rows)
    assert Application.objects.filter(pauses__isnull=False).distinct().count() >= 3
    for app in Application.objects.all():
        assert app.applied_on >= dt.date(2025, 12, 5)
        assert app.requested_fen <= app.limit_fen
        assert (app.disbursed_fen or 0) <= (app.approved_fen or 0) <= app.limit_fen


def test_the_demo_is_deterministic(monkeypatch):
    every_firm_invested(monkeypatch)
    with transaction.atomic():
        demo.build(enterprises=60, as_of=today())
        first = summary_of_files()
        transaction.set_rollback(True)
    demo.build(enterprises=60, as_of=today())
    assert summary_of_files() == first


def test_firms_without_investments_are_skipped_not_failed(monkeypatch):
    monkeypatch.setattr(
        demo, "PROGRAMMES", demo.PROGRAMMES[: demo.PROGRAMMES.index("matching") + 1]
    )
    demo.build(enterprises=60, as_of=today())
    for app in Application.objects.all():
        assert app.invest_first_fen + app.angel_fen > 0


def test_late_in_the_year_the_demo_s_clocks_run_into_a_year_the_package_does_not_cover(
    monkeypatch,
):
    late = dt.date(max(official_years()), 12, 28)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: late)
    every_firm_invested(monkeypatch)
    demo.build(enterprises=60, as_of=late)
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    declared = CalendarYear.objects.get(year=late.year + 1)
    assert "国务院令第795号" in declared.reference and "未含调休" in declared.reference
    rows = selectors.queue(Application.objects.all(), working_calendar(), late)
    assert any(r.clock.deadline.year == late.year + 1 for r in rows if r.clock.deadline)
