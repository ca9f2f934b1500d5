"""Append-only tables, enforced by the database itself (integrity reference §3.6).

A *guard* is a `BEFORE UPDATE` or `BEFORE DELETE` row trigger that refuses the change, optionally
only `WHEN` a condition holds (e.g. the audit chain head may move forward by exactly one). The same
guard is written for SQLite (`RAISE(ABORT, …)`) and PostgreSQL (a plpgsql trigger function raising
SQLSTATE 23001, restrict_violation), so both surface as `django.db.IntegrityError`.

Migrations install guards with `install_guards`. Every guard trigger is named `guard_…`, which lets
`guards_lifted` find them all: it exists for `flush` (tests and demo resets wipe every table, which
on SQLite means DELETE) and for tests that tamper with the books on purpose. It needs DDL rights
(SQLite) or superuser rights (PostgreSQL); an application role without them cannot lift a guard
(and on PostgreSQL should also lack UPDATE, DELETE and TRUNCATE on these tables).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION patientcap_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$"""


@dataclass(frozen=True)
class Guard:
    table: str
    operation: str  # "UPDATE" or "DELETE"
    message: str
    when: str | None = None  # a condition on OLD / NEW; the change is refused when it holds

    @property
    def name(self) -> str:
        return f"guard_{self.table}_{self.operation.lower()}"

    def create_sql(self, vendor: str) -> list[str]:
        message = self.message.replace("'", "''")
        if vendor == "postgresql":
            when = f" WHEN ({self.when})" if self.when else ""
            return [
                PG_FUNCTION,
                f"CREATE TRIGGER {self.name} BEFORE {self.operation} ON {self.table} "
                f"FOR EACH ROW{when} EXECUTE FUNCTION patientcap_refuse('{message}')",
            ]
        when = f" WHEN {self.when}" if self.when else ""
        return [
            f"CREATE TRIGGER {self.name} BEFORE {self.operation} ON {self.table}{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]

    def drop_sql(self, vendor: str) -> list[str]:
        on = f" ON {self.table}" if vendor == "postgresql" else ""
        return [f"DROP TRIGGER IF EXISTS {self.name}{on}"]


def append_only(table: str, what: str) -> list[Guard]:
    """Guards that refuse every UPDATE and DELETE of `table`."""
    return [
        Guard(table, "UPDATE", f"{table} is append-only: {what}"),
        Guard(table, "DELETE", f"{table} is append-only: {what}"),
    ]


def install_guards(guards: Sequence[Guard]) -> Callable[[Any, Any], None]:
    """A RunPython function that creates `guards` on whichever database is migrated."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for guard in guards:
            for sql in guard.create_sql(vendor):
                schema_editor.execute(sql, params=None)

    return forwards


def remove_guards(guards: Sequence[Guard]) -> Callable[[Any, Any], None]:
    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for guard in guards:
            for sql in guard.drop_sql(vendor):
                schema_editor.execute(sql, params=None)

    return backwards


@contextmanager
def guards_lifted(connection: Any) -> Iterator[None]:
    """Switch every guard off for the duration, then back on exactly as it was.

    PostgreSQL: the session acts as a replication target (`session_replication_role = replica`),
    for which ordinary triggers do not fire (a superuser's power). SQLite: the guard triggers are
    dropped and re-created from their stored definitions.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            triggers = []
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                "'guard\\_%' ESCAPE '\\'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
            for _name, sql in triggers:
                cursor.execute(sql)
