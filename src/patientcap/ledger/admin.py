"""Read-only admin for the ledger: rows are written by the services only (and never changed)."""

from typing import Any

from django.contrib import admin

from patientcap.ledger.models import Account, Entry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["code", "name", "book", "normal_side", "must_not_go_negative"]
    list_filter = ["book"]


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["id", "book", "date", "memo", "idempotency_key", "reversal_of"]
    list_filter = ["book"]
    search_fields = ["memo", "idempotency_key"]
