"""Admin views of the registry, read-only: every change goes through the services (scope
checks, validation, audit), which the admin's own save would bypass."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from patientcap.enterprises.models import (
    Certification,
    Enterprise,
    EnterpriseAccessGrant,
    FinancialYear,
    ServiceAssignment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "uscc",
        "industry_code",
        "growth_stage",
        "strategic_emerging",
        "registration_date",
    )
    list_filter = ("growth_stage", "strategic_emerging")
    search_fields = ("name", "uscc")
    inlines = [CertificationInline]


@admin.register(FinancialYear)
class FinancialYearAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "year", "revenue_fen", "rd_expense_fen")
    list_select_related = ("enterprise",)


@admin.register(EnterpriseAccessGrant)
class EnterpriseAccessGrantAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "organisation", "purpose", "granted_at", "revoked_at")
    list_select_related = ("enterprise", "organisation")


@admin.register(ServiceAssignment)
class ServiceAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "agent", "since", "until")
    list_select_related = ("enterprise", "agent")
