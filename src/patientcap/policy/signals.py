"""Any change to the calendar tables changes the revision token, whichever path made it."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from patientcap.policy.calendar import bump_revision
from patientcap.policy.models import CalendarYear, WorkingDayOverride


@receiver(post_save, sender=WorkingDayOverride)
@receiver(post_delete, sender=WorkingDayOverride)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def calendar_changed(**kwargs: Any) -> None:
    bump_revision()
