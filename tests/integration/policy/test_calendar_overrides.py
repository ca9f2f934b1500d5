"""The override table and covered years: checked, audited, and seen by the cached calendar."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from tests.support import make_user

from patientcap.accounts import scoping
from patientcap.audit.models import AuditEntry
from patientcap.domain.calendar import CalendarNotCovered
from patientcap.policy import services
from patientcap.policy.calendar import official_years, working_calendar
from patientcap.policy.models import CalendarYear, WorkingDayOverride

NEXT = official_years().stop  # the first year the package does not cover
NOTICE = f"国务院办公厅关于{NEXT}年部分节假日安排的通知"


@pytest.fixture
def admin_user(db):
    return make_user("calendar_admin", "", None, is_staff=True, is_superuser=True)


def calendar_entries():
    return AuditEntry.objects.filter(action__startswith="calendar.")


def enter_new_year(actor) -> None:
    services.set_override(
        actor=actor,
        date=date(NEXT, 1, 1),
        is_working_day=False,
        name="New Year's Day",
        reference=NOTICE,
    )


def test_an_override_changes_the_calendar_at_once_and_is_audited(admin_user):
    assert working_calendar().is_working_day(date(2025, 3, 3))
    services.set_override(
        actor=admin_user,
        date=date(2025, 3, 3),
        is_working_day=False,
        name="Test closure",
        reference="Notice 1",
    )
    assert not working_calendar().is_working_day(date(2025, 3, 3))
    entry = AuditEntry.objects.get(action="calendar.override.set")
    assert entry.object_id == "2025-03-03" and entry.before is None
    assert entry.after["is_working_day"] is False and entry.actor == admin_user

    services.set_override(
        actor=admin_user, date=date(2025, 3, 3), is_working_day=True, reference="Notice 2"
    )
    assert working_calendar().is_working_day(date(2025, 3, 3))
    assert WorkingDayOverride.objects.count() == 1
    services.remove_override(actor=admin_user, date=date(2025, 3, 3))
    assert working_calendar().is_working_day(date(2025, 3, 3))
    actions = list(calendar_entries().order_by("seq").values_list("action", flat=True))
    assert actions == ["calendar.override.set", "calendar.override.set", "calendar.override.remove"]


def test_a_year_the_package_lacks_is_covered_only_once_an_administrator_declares_it(admin_user):
    enter_new_year(admin_user)
    with pytest.raises(CalendarNotCovered):
        working_calendar().is_working_day(date(NEXT, 1, 2))
    services.declare_year_covered(actor=admin_user, year=NEXT, reference=NOTICE)
    cal = working_calendar()
    assert cal.is_covered(NEXT)
    assert not cal.is_working_day(date(NEXT, 1, 1))
    first_weekday = next(date(NEXT, 1, d) for d in range(2, 9) if date(NEXT, 1, d).weekday() < 5)
    assert cal.add_working_days(date(NEXT - 1, 12, 31), 1) == first_weekday
    assert AuditEntry.objects.filter(action="calendar.year.declare", object_id=str(NEXT)).exists()

    services.withdraw_year(actor=admin_user, year=NEXT)
    assert not working_calendar().is_covered(NEXT)
    assert AuditEntry.objects.filter(action="calendar.year.withdraw").exists()


def test_declaring_a_year_without_its_holidays_is_refused_and_writes_nothing(admin_user):
    with pytest.raises(ValidationError, match="holidays as overrides"):
        services.declare_year_covered(actor=admin_user, year=NEXT, reference=NOTICE)
    with pytest.raises(ValidationError, match="already covered by the official"):
        services.declare_year_covered(actor=admin_user, year=2024, reference=NOTICE)
    enter_new_year(admin_user)
    with pytest.raises(ValidationError, match="reference"):
        services.declare_year_covered(actor=admin_user, year=NEXT, reference="  ")
    assert not CalendarYear.objects.exists()
    assert not calendar_entries().filter(action__startswith="calendar.year").exists()


def test_the_last_holiday_of_a_declared_year_cannot_be_removed(admin_user):
    enter_new_year(admin_user)
    services.declare_year_covered(actor=admin_user, year=NEXT, reference=NOTICE)
    with pytest.raises(ValidationError, match="withdraw the year"):
        services.remove_override(actor=admin_user, date=date(NEXT, 1, 1))
    assert WorkingDayOverride.objects.filter(date=date(NEXT, 1, 1)).exists()


def test_an_override_without_reference_is_refused_and_writes_nothing(admin_user):
    with pytest.raises(ValidationError, match="reference"):
        services.set_override(
            actor=admin_user, date=date(2025, 3, 3), is_working_day=False, reference=""
        )
    assert not WorkingDayOverride.objects.exists()
    assert not calendar_entries().exists()


def test_only_platform_staff_may_change_the_calendar(users):
    for user in users.values():
        with pytest.raises(PermissionDenied):
            services.set_override(
                actor=user, date=date(2025, 3, 3), is_working_day=False, reference="Notice"
            )
    auditor = users["auditor"]
    auditor.is_staff = True
    with pytest.raises(PermissionDenied):
        services.declare_year_covered(actor=auditor, year=NEXT, reference=NOTICE)
    assert not WorkingDayOverride.objects.exists() and not calendar_entries().exists()


def test_every_participant_reads_the_calendar_tables_and_none_writes_them(users, admin_user):
    enter_new_year(admin_user)
    for user in users.values():
        assert scoping.readable(user, WorkingDayOverride).count() == 1
        assert scoping.writable(user, WorkingDayOverride).count() == 0
    assert scoping.writable(admin_user, WorkingDayOverride).count() == 1


def test_a_rolled_back_change_never_leaves_a_stale_calendar(admin_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.set_override(
            actor=admin_user, date=date(2025, 3, 3), is_working_day=False, reference="Notice"
        )
        assert not working_calendar().is_working_day(date(2025, 3, 3))  # cached inside
        raise RuntimeError("roll back")
    assert working_calendar().is_working_day(date(2025, 3, 3))
    services.set_override(
        actor=admin_user, date=date(2025, 3, 4), is_working_day=False, reference="Notice"
    )
    cal = working_calendar()
    assert cal.is_working_day(date(2025, 3, 3)) and not cal.is_working_day(date(2025, 3, 4))


def test_the_admin_saves_and_deletes_through_the_services(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/policy/workingdayoverride/add/",
        {
            "date": "2025-03-03",
            "is_working_day": "",
            "name": "Closure",
            "reference": "Notice 7",
        },
    )
    assert response.status_code == 302, response.content
    row = WorkingDayOverride.objects.get()
    assert row.created_by == admin_user and not row.is_working_day
    assert not working_calendar().is_working_day(date(2025, 3, 3))
    response = client.post(
        "/admin/policy/workingdayoverride/add/",
        {
            "date": "2025-03-04",
            "is_working_day": "on",
            "name": "",
            "reference": "",
        },
    )
    assert response.status_code == 200 and WorkingDayOverride.objects.count() == 1
    response = client.post(f"/admin/policy/workingdayoverride/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not WorkingDayOverride.objects.exists()
    assert list(calendar_entries().order_by("seq").values_list("action", flat=True)) == [
        "calendar.override.set",
        "calendar.override.remove",
    ]


def test_the_admin_refuses_to_declare_a_year_without_holidays(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/policy/calendaryear/add/", {"year": NEXT, "reference": NOTICE})
    assert response.status_code == 200
    assert "holidays as overrides" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_the_statutory_holidays_of_an_uncovered_year_are_entered_keeping_what_was_there(
    admin_user,
):
    enter_new_year(admin_user)  # already entered by hand, from the notice
    made = services.enter_statutory_holidays(actor=admin_user, year=NEXT, reference="795号令")
    assert len(made) == 12 and all(not o.is_working_day for o in made)
    assert WorkingDayOverride.objects.get(date=date(NEXT, 1, 1)).reference == NOTICE
    assert calendar_entries().filter(action="calendar.override.set").count() == 13
    with pytest.raises(CalendarNotCovered):  # the notice's 调休 days are still to come
        working_calendar().add_working_days(date(NEXT, 1, 4), 1)
    services.declare_year_covered(actor=admin_user, year=NEXT, reference=NOTICE)
    assert not working_calendar().is_working_day(date(NEXT, 10, 2))


def test_statutory_holidays_are_refused_for_a_covered_year_or_a_person_not_on_the_staff(
    admin_user, db
):
    before = WorkingDayOverride.objects.count()
    with pytest.raises(ValidationError, match="already covered"):
        services.enter_statutory_holidays(actor=admin_user, year=NEXT - 1, reference="x")
    officer = make_user("officer", "zone_officer", None)
    with pytest.raises(PermissionDenied):
        services.enter_statutory_holidays(actor=officer, year=NEXT, reference="x")
    assert WorkingDayOverride.objects.count() == before
