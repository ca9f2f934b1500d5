"""Django admin for the calendar tables. Every save and delete goes through services.py, so it
is checked, audited, and changes the revision token like any other change."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from patientcap.policy import services
from patientcap.policy.models import CalendarYear, WorkingDayOverride


class _CalendarAdmin(admin.ModelAdmin):
    readonly_fields = ("created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.can_change_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_change_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_change_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


def _all_or_nothing(
    request: HttpRequest, model_admin: admin.ModelAdmin, remove: Any, queryset: QuerySet
) -> None:
    """Remove every selected row or none, and say why when one is refused."""
    try:
        with transaction.atomic():
            for obj in list(queryset):
                remove(obj)
    except ValidationError as exc:
        model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)


class OverrideForm(forms.ModelForm):
    class Meta:
        model = WorkingDayOverride
        fields = ["date", "is_working_day", "name", "reference"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date"):
            services.check_override(date=data["date"], reference=data.get("reference", ""))
        return data


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(_CalendarAdmin):
    form = OverrideForm
    list_display = ("date", "is_working_day", "name", "reference", "created_by")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("name", "reference")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A date is the row's identity: to move an override, remove it and add another.
        return (*self.readonly_fields, "date") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = services.set_override(
            actor=request.user,
            date=obj.date,
            is_working_day=obj.is_working_day,
            name=obj.name,
            reference=obj.reference,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, WorkingDayOverride.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        _all_or_nothing(
            request,
            self,
            lambda o: services.remove_override(actor=request.user, date=o.date),
            queryset,
        )


class YearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "reference"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("year") and self.instance.pk is None:
            try:
                services.check_year(year=data["year"], reference=data.get("reference", ""))
            except ValidationError as exc:
                raise ValidationError({"year": exc.messages}) from None
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    form = YearForm
    list_display = ("year", "reference", "created_by", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a declaration is made or withdrawn, never edited

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = services.declare_year_covered(
            actor=request.user, year=obj.year, reference=obj.reference
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, CalendarYear.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        _all_or_nothing(
            request,
            self,
            lambda o: services.withdraw_year(actor=request.user, year=o.year),
            queryset,
        )
