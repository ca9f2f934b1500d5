"""Read-only admin for the audit trail: entries are appended by `services.record` only."""

from typing import Any

from django.contrib import admin

from patientcap.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor_name", "action", "object_type", "object_id"]
    list_filter = ["object_type"]
    search_fields = ["action", "object_id", "actor_name"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
