from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _start_chain(sender: Any, using: str, **kwargs: Any) -> None:
    from patientcap.audit.services import ensure_head

    ensure_head()


class AuditConfig(AppConfig):
    name = "patientcap.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from patientcap.audit import scopes  # noqa: F401  (registers the scope rules)

        # After migrate, and after flush empties the tables (tests, demo resets).
        post_migrate.connect(_start_chain, sender=self)
