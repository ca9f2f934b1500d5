"""Administration of organisations, users and tokens (the technical superuser's tool).

User changes from the admin go through the model's own rule (role fits the organisation's type,
checked in `User.save`) and are audited; deactivation ends the user's sessions (signals.py).
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import services
from patientcap.accounts.models import ApiToken, Organisation, User
from patientcap.audit.services import record


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "created_at"]
    list_filter = ["type"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                action="organisation.update" if change else "organisation.create",
                object_type="organisation",
                object_id=obj.pk,
                after={"name": obj.name, "type": obj.type},
            )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__type"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                action="user.update" if change else "user.create",
                object_type="user",
                object_id=obj.pk,
                after={
                    "changed": sorted(form.changed_data),
                    "role": obj.role,
                    "organisation_id": obj.organisation_id,
                    "is_active": obj.is_active,
                },
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "name",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made by their owner or `patientcap token create`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_token(token=token, by=request.user)
