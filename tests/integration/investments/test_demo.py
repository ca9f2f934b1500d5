"""The demo zone reproduces the article's invest-first figures, on the default registry and on
the small one the browser tests use, and every live stage has something to show."""

import datetime as dt
import time
from decimal import Decimal

import pytest

from patientcap.accounts.models import User
from patientcap.approvals.models import Proposal, Status
from patientcap.core import demo
from patientcap.investments import selectors
from patientcap.investments.models import Project, Stage
from patientcap.ledger.models import Account
from patientcap.ledger.selectors import balance

AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _only_this_programme(monkeypatch):
    # The later programmes' demos build on this one and are tested by their own apps.
    monkeypatch.setattr(demo, "PROGRAMMES", ("investments",))


def _rows():
    return selectors.Rows.readable(User.objects.get(username="zone"))


def _figures():
    return selectors.pool_figures(_rows(), AS_OF)


@pytest.mark.django_db
def test_the_default_demo_reproduces_the_article():
    started = time.perf_counter()
    demo.build(enterprises=400, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    f = _figures()
    assert f.projects == 136
    assert Decimal("62_000_000_00") <= f.invested_fen <= Decimal("64_000_000_00")
    assert f.exited_projects >= 80
    assert 33_000_000_00 <= f.returned_fen <= 35_000_000_00
    assert f.cash_fen == balance("fiscal_pool.cash", AS_OF) >= 0
    firm = demo.Enterprise.objects.order_by("pk").first()
    assert selectors.public_investment_fen(firm.pk, AS_OF) == 2_000_000_00
    (project,) = Project.objects.filter(enterprise=firm)
    assert project.stage == Stage.CONVERTED
    assert project.agreement.tranches.count() == 2
    assert elapsed < 60, elapsed


@pytest.mark.django_db
def test_the_small_demo_has_every_live_stage_and_pending_proposals():
    demo.build(enterprises=60, seed=7, as_of=AS_OF)
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {
        Stage.APPLIED,
        Stage.UNDER_REVIEW,
        Stage.APPROVED,
        Stage.SIGNED,
        Stage.DISBURSING,
        Stage.CONVERTED,
        Stage.WRITTEN_OFF,
        Stage.EXITED,
        Stage.REJECTED,
    } <= stages
    pending = set(
        Proposal.objects.filter(
            status=Status.PENDING, action__startswith="investments."
        ).values_list("action", flat=True)
    )
    assert pending == {"investments.decide", "investments.disburse", "investments.write_off"}
    queue = selectors.queue(_rows(), AS_OF)
    assert queue.overdue_milestones and queue.awaiting_verdict and queue.awaiting_review
    assert _figures().projects == 136
    vintages = selectors.loss_ratio_by_vintage(_rows(), AS_OF)
    assert any(v.written_off_fen for v in vintages)
    portfolio = selectors.portfolio(_rows(), AS_OF)
    assert portfolio.total.xirr.value is not None


@pytest.mark.django_db
def test_the_history_starts_in_2019_with_the_first_fiscal_contribution():
    demo.build(enterprises=60, seed=3, as_of=AS_OF)
    f = _figures()
    assert f.contributions_fen == 90_000_000_00
    assert f.projects == 136 and f.exited_projects >= 80
    years = [v.year for v in selectors.loss_ratio_by_vintage(_rows(), AS_OF)]
    assert years[0] == 2019
    contributions = Account.objects.get(code="fiscal_pool.contributions")
    assert selectors.flows_by_year(_rows(), contributions, AS_OF)[0].year == 2019


@pytest.mark.django_db
def test_a_registry_of_25_firms_still_reproduces_the_figures():
    demo.build(enterprises=25, seed=3, as_of=AS_OF)
    f = _figures()
    assert (f.projects, f.exited_projects) == (136, 82)
    assert (f.invested_fen, f.returned_fen) == (63_000_000_00, 34_000_000_00)
