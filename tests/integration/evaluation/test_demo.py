"""The evaluation part of the demo: deterministic, quick, works on a small registry."""

import datetime as dt
import time

import pytest

from patientcap.accounts.models import User
from patientcap.core import demo, kpis
from patientcap.evaluation import selectors
from patientcap.evaluation.models import Evaluation, Objection, Override

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 11, 30)
CARD = "tech-credit-card"


def _build(monkeypatch, seed: int = 7):
    monkeypatch.setattr(demo, "PROGRAMMES", ("evaluation",))
    return demo.build(enterprises=60, seed=seed, as_of=AS_OF)


def test_the_demo_scores_the_registry_twice_on_the_card_and_once_on_the_sme_set(monkeypatch):
    started = time.perf_counter()
    summary = _build(monkeypatch)
    assert time.perf_counter() - started < 30
    assert summary["evaluations"] == 180 == Evaluation.objects.count()
    assert Override.objects.count() == summary["evaluation overrides"] == 2
    objection = Objection.objects.get()
    assert objection.status == "open" and objection.due_on == objection.received_on + dt.timedelta(
        days=20
    )
    figures = kpis.collect(AS_OF)["evaluation"]
    assert figures["evaluations"] == 180 and figures["open_objections"] == 1
    assert sum(figures["tech_card_grades"].values()) == 60
    stable = selectors.stability(User.objects.get(username="zone"), CARD, AS_OF.year)
    assert stable.current == 60 and stable.previous == 60 and stable.psi is not None
