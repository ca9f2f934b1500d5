from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_chart(sender: Any, using: str, **kwargs: Any) -> None:
    from patientcap.ledger.chart import ensure_chart

    ensure_chart()


class LedgerConfig(AppConfig):
    name = "patientcap.ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from patientcap.ledger import actions, scopes  # noqa: F401  (register actions and scopes)

        # The chart of accounts is data: created after migrate, and again after flush (tests,
        # demo resets) empties the tables.
        post_migrate.connect(_load_chart, sender=self)
