"""Reading the audit trail: entries filtered by object and actor, newest first."""

from django.db.models import QuerySet

from patientcap.audit.models import AuditEntry


def entries(
    queryset: QuerySet[AuditEntry],
    *,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
) -> QuerySet[AuditEntry]:
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if actor:
        queryset = queryset.filter(actor_name=actor)
    if action:
        queryset = queryset.filter(action=action)
    return queryset.order_by("-seq")


def object_types(queryset: QuerySet[AuditEntry]) -> list[str]:
    return list(queryset.order_by("object_type").values_list("object_type", flat=True).distinct())
