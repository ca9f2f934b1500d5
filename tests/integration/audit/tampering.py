"""Tampering on purpose, for the tests that prove tampering is caught: the append-only guards are
lifted (triggers dropped on SQLite, disabled on PostgreSQL), the raw SQL runs, and the guards come
back exactly as they were, all inside the test's transaction."""

from typing import Any

from django.db import connection

from patientcap.audit.append_only import guards_lifted


def tamper(sql: str, params: Any = None) -> int:
    """Run one statement past the guards; returns the number of rows it touched."""
    with guards_lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
