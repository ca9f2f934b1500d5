"""Changes to the working-day calendar tables. Each one is checked, audited, and committed with
its audit entry in one transaction; the revision token changes with it (signals.py)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patientcap.audit import services as audit
from patientcap.domain.calendar import describe_years
from patientcap.policy.calendar import official_years, statutory_holidays
from patientcap.policy.models import CalendarYear, WorkingDayOverride

YEARS = range(1950, 2200)  # a sanity bound on typed years, far wider than any schedule


def can_change_calendar(user: Any) -> bool:
    """Platform staff maintain the calendar; an auditor never changes anything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and not user.is_read_only))


def _require(actor: Any) -> None:
    if not can_change_calendar(actor):
        raise PermissionDenied(_("Only platform staff may change the working-day calendar."))


def check_override(*, date: dt.date, reference: str) -> None:
    if date.year not in YEARS:
        raise ValidationError(
            _("The date must lie between %(a)s and %(b)s.")
            % {"a": YEARS.start, "b": YEARS.stop - 1}
        )
    if not reference.strip():
        raise ValidationError(_("Give the reference: the notice that sets this day."))


def _refuse_official(year: int) -> None:
    if year in official_years():
        raise ValidationError(
            _("%(year)s is already covered by the official calendar package (%(years)s).")
            % {"year": year, "years": describe_years(official_years())}
        )


def check_year(*, year: int, reference: str) -> None:
    if year not in YEARS:
        raise ValidationError(
            _("The year must lie between %(a)s and %(b)s.")
            % {"a": YEARS.start, "b": YEARS.stop - 1}
        )
    _refuse_official(year)
    if not reference.strip():
        raise ValidationError(_("Give the reference: the notice with the year's schedule."))
    if not WorkingDayOverride.objects.filter(date__year=year, is_working_day=False).exists():
        raise ValidationError(
            _("Enter %(year)s's holidays as overrides before declaring the year covered.")
            % {"year": year}
        )


def _as_dict(o: WorkingDayOverride) -> dict:
    return {
        "date": o.date,
        "is_working_day": o.is_working_day,
        "name": o.name,
        "reference": o.reference,
    }


def set_override(
    *, actor: Any, date: dt.date, is_working_day: bool, name: str = "", reference: str
) -> WorkingDayOverride:
    """Create or change the override of `date`."""
    _require(actor)
    check_override(date=date, reference=reference)
    with transaction.atomic():
        row = WorkingDayOverride.objects.select_for_update().filter(date=date).first()
        before = _as_dict(row) if row else None
        if row is None:
            row = WorkingDayOverride(date=date, created_by=actor)
        row.is_working_day = is_working_day
        row.name, row.reference = name.strip(), reference.strip()
        row.save()
        audit.record(
            actor=actor,
            action="calendar.override.set",
            object_type="working_day_override",
            object_id=date.isoformat(),
            before=before,
            after=_as_dict(row),
        )
    return row


def enter_statutory_holidays(*, actor: Any, year: int, reference: str) -> list[WorkingDayOverride]:
    """Enter `year`'s statutory holidays (`calendar.statutory_holidays`) as overrides, keeping
    any override already entered for those days: the first step of entering a year the official
    package does not cover yet; the notice's 调休 days follow before the year is declared."""
    _refuse_official(year)
    try:
        days = statutory_holidays(year)
    except ValueError as e:
        raise ValidationError(_("The statutory holidays are known from 2025 on.")) from e
    taken = set(WorkingDayOverride.objects.filter(date__in=days).values_list("date", flat=True))
    with transaction.atomic():
        return [
            set_override(
                actor=actor, date=day, is_working_day=False, name=name, reference=reference
            )
            for day, name in sorted(days.items())
            if day not in taken
        ]


def remove_override(*, actor: Any, date: dt.date) -> None:
    _require(actor)
    with transaction.atomic():
        row = WorkingDayOverride.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise ValidationError(_("There is no override for %(date)s.") % {"date": date})
        declared = CalendarYear.objects.filter(year=date.year).exists()
        others_off = WorkingDayOverride.objects.filter(
            date__year=date.year, is_working_day=False
        ).exclude(pk=row.pk)
        if declared and not row.is_working_day and not others_off.exists():
            raise ValidationError(
                _(
                    "%(year)s is declared covered and this is its last holiday; withdraw the "
                    "year's coverage first."
                )
                % {"year": date.year}
            )
        before = _as_dict(row)
        row.delete()
        audit.record(
            actor=actor,
            action="calendar.override.remove",
            object_type="working_day_override",
            object_id=date.isoformat(),
            before=before,
            after=None,
        )


def declare_year_covered(*, actor: Any, year: int, reference: str) -> CalendarYear:
    """Declare that `year`'s whole schedule is entered, so working days may be counted in it."""
    _require(actor)
    with transaction.atomic():
        check_year(year=year, reference=reference)
        if CalendarYear.objects.filter(year=year).exists():
            raise ValidationError(_("%(year)s is already declared covered.") % {"year": year})
        row = CalendarYear.objects.create(year=year, reference=reference.strip(), created_by=actor)
        audit.record(
            actor=actor,
            action="calendar.year.declare",
            object_type="calendar_year",
            object_id=year,
            after={"year": year, "reference": row.reference},
        )
    return row


def withdraw_year(*, actor: Any, year: int) -> None:
    """Take back a declaration: working days can no longer be counted in `year`."""
    _require(actor)
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().filter(year=year).first()
        if row is None:
            raise ValidationError(_("%(year)s is not declared covered.") % {"year": year})
        before = {"year": year, "reference": row.reference}
        row.delete()
        audit.record(
            actor=actor,
            action="calendar.year.withdraw",
            object_type="calendar_year",
            object_id=year,
            before=before,
            after=None,
        )
