"""The valuations part of the demo: deterministic, quick, and it works on a small registry."""

import datetime as dt
import time

import pytest

from patientcap.core import demo, kpis
from patientcap.valuations.models import Valuation, WrittenApproval

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 11, 30)
FIRST = dt.date(2023, 1, 1)


def _build(monkeypatch):
    monkeypatch.setattr(demo, "PROGRAMMES", ("valuations",))
    return demo.build(enterprises=60, seed=7, as_of=AS_OF)


def test_the_demo_values_forty_firms_with_state_money_cases(monkeypatch):
    started = time.perf_counter()
    summary = _build(monkeypatch)
    elapsed = time.perf_counter() - started
    assert summary["valuations"] == Valuation.objects.filter(state_money=False).count()
    assert Valuation.objects.values("enterprise").distinct().count() == 40
    assert Valuation.objects.filter(version=2).count() == summary["valuation revisions"] > 0
    assert min(Valuation.objects.values_list("valued_on", flat=True)) >= FIRST
    assert max(Valuation.objects.values_list("valued_on", flat=True)) <= AS_OF
    state = Valuation.objects.filter(state_money=True)
    assert sorted(state.values_list("state_outcome", flat=True)) == [
        "needs_approval",
        "needs_approval",
        "ok",
        "refused",
    ]
    assert WrittenApproval.objects.count() == 1
    assert summary["valuations awaiting written approval"] == 1
    figures = kpis.collect(AS_OF)["valuations"]
    assert figures["awaiting_written_approval"] == 1 and figures["stale_assessments"] == 1
    assert elapsed < 60
