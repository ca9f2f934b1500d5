"""Demo enterprises: valid, plausible, reproducible, and never clashing with stored ones."""

import random

from tests.integration.enterprises.builders import AS_OF

from patientcap.audit.models import AuditEntry
from patientcap.domain.uscc import is_valid
from patientcap.enterprises.demo import generate_demo_enterprises
from patientcap.enterprises.models import Enterprise, FinancialYear, Headcount


def test_demo_enterprises_are_valid_and_have_figures(db):
    ids = generate_demo_enterprises(60, random.Random(7), as_of=AS_OF)
    assert len(ids) == Enterprise.objects.count() == 60
    assert all(is_valid(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    assert all(code[2:8] == "500107" for code in Enterprise.objects.values_list("uscc", flat=True))
    assert Enterprise.objects.values("name").distinct().count() == 60
    for e in Enterprise.objects.all():
        years = set(FinancialYear.objects.filter(enterprise=e).values_list("year", flat=True))
        assert years <= set(range(e.registration_date.year, AS_OF.year))
        assert years == set(Headcount.objects.filter(enterprise=e).values_list("year", flat=True))
    assert AuditEntry.objects.filter(action="enterprise.demo").count() == 1


def test_the_same_seed_gives_the_same_enterprises(db):
    generate_demo_enterprises(5, random.Random(3), as_of=AS_OF)
    first = list(Enterprise.objects.order_by("pk").values_list("uscc", "name", "growth_stage"))
    Enterprise.objects.all().delete()
    generate_demo_enterprises(5, random.Random(3), as_of=AS_OF)
    again = list(Enterprise.objects.order_by("pk").values_list("uscc", "name", "growth_stage"))
    assert again == first


def test_a_second_run_adds_enterprises_without_clashing(db):
    generate_demo_enterprises(20, random.Random(3), as_of=AS_OF)
    generate_demo_enterprises(20, random.Random(3), as_of=AS_OF)
    assert Enterprise.objects.values("uscc").distinct().count() == 40
