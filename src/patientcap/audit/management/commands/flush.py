"""`flush`, with the append-only guards lifted while it empties the tables.

Django's flush wipes every table; on SQLite it does so with DELETE, which the ledger's and the
audit trail's guards refuse. Flushing is a deliberate, whole-database reset (transactional tests,
demo rebuilds), so it lifts the guards for its own duration and puts them back afterwards.
PostgreSQL flushes with TRUNCATE, which row triggers do not see.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from patientcap.audit.append_only import guards_lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> Any:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with guards_lifted(connection):
            return super().handle(**options)
