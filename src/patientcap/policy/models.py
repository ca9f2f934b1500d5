"""The working-day calendar's admin-maintained data: overrides, covered years, a revision token.

Policy parameters themselves are files (policy/*.yaml), not rows. The official holidays and
make-up working days come from the chinese-calendar package; these tables hold what an
administrator enters on top: corrections, and the schedules of years the package does not cover
yet (a year counts as covered only once an administrator declares it so).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkingDayOverride(models.Model):
    """One date whose working status is set by hand; it wins over the package's data."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("The holiday it belongs to, e.g. Spring Festival."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=300,
        help_text=_("The State Council notice that sets this day, e.g. 国办发明电〔2026〕1号."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        status = _("working day") if self.is_working_day else _("day off")
        return f"{self.date.isoformat()} {status} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose full schedule (holidays and make-up days) is entered as overrides."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    reference = models.CharField(
        _("reference"),
        max_length=300,
        help_text=_("The State Council notice with that year's holiday schedule."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("covered calendar year")
        verbose_name_plural = _("covered calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarRevision(models.Model):
    """One row whose token changes with every change to the two tables above, so each process
    knows when to rebuild its cached calendar. A fresh random token (not a counter) so that a
    rolled-back change can never be mistaken for a later committed one."""

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("calendar revision")

    def __str__(self) -> str:
        return str(self.token)
