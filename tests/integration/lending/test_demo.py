"""The demo's tiered-loan book with a small registry: the published figures and every state."""

import datetime as dt
import time

import pytest
from django.db.models import Sum

from patientcap.core import demo
from patientcap.ledger.selectors import balance
from patientcap.lending.models import Application, Claim, ClaimStatus, Loan, LoanStatus
from patientcap.lending.selectors import par

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        outer = transaction.atomic()
        outer.__enter__()
        # The base zone and this programme only: the other programmes have tests of their own.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(demo, "PROGRAMMES", ("lending",))
            start = time.perf_counter()
            summary = demo.build(enterprises=60, seed=2025, as_of=dt.date(2026, 11, 27))
            elapsed = time.perf_counter() - start
        yield summary, elapsed
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_the_demo_has_40_plus_loans_over_100m_by_the_end_of_q3_2025(built):
    summary, elapsed = built
    granted = Loan.objects.filter(signed_on__lte=dt.date(2025, 9, 30))
    assert granted.count() >= 40
    assert granted.aggregate(s=Sum("amount_fen"))["s"] > 100_000_000_00
    assert granted.values("bank").distinct().count() == 2
    assert granted.values("guarantor").distinct().count() == 2
    print(summary, f"{elapsed:.1f}s")


def test_the_demo_has_claims_in_each_state_and_loans_in_each_category(built):
    assert Claim.objects.filter(status=ClaimStatus.COMPENSATED).count() == 2
    assert Claim.objects.filter(status=ClaimStatus.FILED).count() == 1
    recovered = Claim.objects.filter(recoveries__isnull=False).distinct()
    assert recovered.count() == 1
    assert Loan.objects.filter(status=LoanStatus.WRITTEN_OFF).count() == 1
    assert balance("risk_compensation_pool.contributions", dt.date(2026, 11, 27)) == 50_000_000_00
    report = par(Loan.objects.all(), dt.date(2026, 11, 27))
    categories = {row.category for row in report.rows}
    assert {"normal", "special_mention", "substandard", "doubtful"} <= categories
    assert Application.objects.filter(status__in=["diligence", "ready"]).count() >= 3
