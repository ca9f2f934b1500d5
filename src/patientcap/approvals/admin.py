"""Proposals in the admin: read-only. Decisions go through the approval pages or API only, so
that the maker-checker rules and the audit trail cannot be bypassed."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from patientcap.approvals.models import Proposal


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["id", "action", "summary", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status", "action"]
    search_fields = ["summary", "target"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
