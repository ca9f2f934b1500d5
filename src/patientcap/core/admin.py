"""Read-only admin for background jobs, for the operator: which jobs wait, run or failed, and
the django-tasks id whose traceback (in the tasks admin) explains a crash."""

from typing import Any

from django.contrib import admin

from patientcap.core.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "owner", "status", "done", "total", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "owner__username", "task_id"]
    exclude = ["input"]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).defer("input")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
