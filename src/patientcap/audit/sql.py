"""Low-level SQL for the append-only tables' write paths (the ledger's and the audit trail's).

`insert_rows` sends many rows at once: PostgreSQL through a binary COPY, SQLite through
`executemany` of one INSERT; both inside the caller's transaction, so a failure leaves nothing
behind.

`prepared` gives a PostgreSQL cursor that binds parameters on the server and keeps each statement
prepared on the connection. Django binds on the client and never prepares, so the same statement
would be parsed and planned again for every entry. Only statements executed with `prepare=True`
are prepared: everything else on the connection behaves as Django configured it.
"""

import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection

# psycopg prepares nothing while the threshold is None (Django's setting); a threshold that is
# never reached still lets an explicit `prepare=True` through.
_ONLY_WHEN_ASKED = 2**31 - 1
_cursors: weakref.WeakKeyDictionary[Any, psycopg.Cursor] = weakref.WeakKeyDictionary()


def prepared(db: Any) -> psycopg.Cursor:
    """A server-binding cursor on `db`'s current PostgreSQL connection (one per connection:
    Django gives each thread its own)."""
    db.ensure_connection()
    raw = db.connection
    if (cursor := _cursors.get(raw)) is None:
        if raw.prepare_threshold is None:
            raw.prepare_threshold = _ONLY_WHEN_ASKED
        cursor = _cursors[raw] = psycopg.Cursor(raw)
    return cursor


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY with the columns' own types: psycopg encodes each row in C.
            cursor.execute(f"SELECT {names} FROM {table} LIMIT 0")
            types = [column.type_code for column in cursor.description]
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
