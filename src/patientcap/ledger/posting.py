"""The ledger's write path: one validated entry (or a batch) into the database, in lean SQL.

Every entry is a domain `JournalEntry` (balanced, positive amounts, each account once) whose
accounts have been checked against the stored chart before this module sees it. Inside the
caller's transaction:

1. the entry's balance rows are read (PostgreSQL: locked, in account-id order) and each
   must-not-go-negative account is checked with the domain's rule (`Balances.refusal`): it stays
   ≥ 0, and money leaves it no earlier than its latest entry date. A refusal writes nothing;
2. the entry row goes in, `ON CONFLICT (book, idempotency_key) DO NOTHING`: a taken key means
   either a replay (same content hash: the stored entry is returned and nothing is written, not
   even an audit entry) or a conflict (`IdempotencyConflict`);
3. the balances move and the postings go in;
4. the audit entry is appended last, so its audit lane is held only from there to the commit.

On PostgreSQL all four are one call of the `ledger_post` function (`pg.py`) through a prepared
statement (outside a transaction, that call is a transaction of its own: one round trip); on
SQLite, where the database is in-process and the transaction already holds the only write lock,
they are a few plain statements. No model instance is built on the way in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from patientcap.audit.services import (
    LANES,
    append_many,
    append_prepared,
    digest_parts,
    prepare,
)
from patientcap.audit.sql import insert_rows, prepared
from patientcap.domain.ledger import (
    Balances,
    IdempotencyConflict,
    JournalEntry,
    LedgerError,
    gettext_noop,
)
from patientcap.ledger.chart import StoredChart
from patientcap.ledger.models import Entry

_ENTRY_COLUMNS = (
    "book",
    "date",
    "memo",
    "idempotency_key",
    "content_hash",
    "reversal_of_id",
    "source",
    "actor_id",
    "recorded_at",
)
_ENTRY_FIELDS = ("id", *_ENTRY_COLUMNS)
_POSTING_COLUMNS = ("entry_id", "account_id", "side", "amount", "date")
_PG_POST = (
    "SELECT status, entry_id, content_hash, account_id, balance, last_date FROM ledger_post("
    "%s::text, %s::date, %s::text, %s::text, %s::text, %s::bigint, %s::text, %s::bigint, "
    "%s::timestamptz, %s::bigint[], %s::text[], %s::bigint[], %s::bigint[], "
    "%s::integer, %s::text, %s::text, %s::text, %s::bigint, %s::text, %s::text, %s::text, "
    "%s::text)"
)
_SQLITE_INSERT_ENTRY = (
    f"INSERT INTO ledger_entry ({', '.join(_ENTRY_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (book, idempotency_key) DO NOTHING RETURNING id"
)
_SQLITE_MOVE = (
    "UPDATE ledger_balance SET balance = balance + ?, last_date = CASE WHEN last_date IS NULL "
    "OR last_date < ? THEN ? ELSE last_date END WHERE account_id = ?"
)
_sqlite_cache: dict[tuple[str, int], str] = {}

# (status, entry id, stored content hash, refused account id, its balance, its last date)
Outcome = tuple[str, int | None, str | None, int | None, int | None, dt.date | None]


def post(
    entry: JournalEntry,
    chart: StoredChart,
    *,
    actor: Any,
    source: str,
    action: str,
    now: dt.datetime,
) -> Entry:
    """Post one entry inside the caller's transaction (or, on PostgreSQL outside any
    transaction, as a statement of its own); a replay returns the original."""
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: every lookup costs on this path
    actor_id = getattr(actor, "pk", None)
    audit = prepare(
        actor=actor,
        action=action,
        object_type="ledger.entry",
        after=audit_facts(entry, source),
        at=now,
    )
    pg = db.vendor == "postgresql"
    status, entry_id, _stored_hash, account_id, balance, last_date = (
        _post_postgresql(db, entry, chart, source, actor_id, now, audit)
        if pg
        else _post_sqlite(db, entry, chart, source, actor_id, now)
    )
    if status == "taken":
        return replay(entry)
    if status == "refused":
        code = next(c for c, i in chart.ids.items() if i == account_id)
        state = Balances({code: balance or 0}, {code: last_date} if last_date else {})
        refused = state.refusal(
            chart.accounts[code], entry.deltas(chart.accounts)[code], entry.date
        )
        raise refused or RuntimeError("the database refused what the domain accepts")
    if status != "posted" or entry_id is None:
        raise LookupError("an account of the entry has no balance row: run `patientcap migrate`")
    if not pg:  # PostgreSQL's ledger_post has appended it already
        append_prepared({**audit, "object_id": str(entry_id)})
    posted = Entry.from_db(
        db.alias,
        _ENTRY_FIELDS,
        (
            entry_id,
            entry.book,
            entry.date,
            entry.memo,
            entry.idempotency_key,
            entry.content_hash,
            entry.reversal_of,
            source,
            actor_id,
            now,
        ),
    )
    posted.replayed = False  # type: ignore[attr-defined]
    return posted


def _post_postgresql(
    db: Any,
    entry: JournalEntry,
    chart: StoredChart,
    source: str,
    actor_id: int | None,
    now: dt.datetime,
    audit: dict,
) -> Outcome:
    accounts, ids = chart.accounts, chart.ids
    postings = sorted(entry.postings, key=lambda p: ids[p.account])  # ledger_post's lock order
    prefix, suffix = digest_parts(audit)
    params = (
        entry.book,
        entry.date,
        entry.memo,
        entry.idempotency_key,
        entry.content_hash,
        entry.reversal_of,
        source,
        actor_id,
        now,
        # Arrays as literals: cheaper to send than lists psycopg must inspect element by element.
        _array(ids[p.account] for p in postings),
        _array(p.side for p in postings),
        _array(p.amount for p in postings),
        _array(accounts[p.account].delta(p.side, p.amount) for p in postings),
        LANES,
        prefix,
        suffix,
        audit["actor_name"],
        audit["organisation_id"],
        audit["action"],
        audit["object_type"],
        audit["before_json"],
        audit["after_json"],
    )
    with db.wrap_database_errors:
        cursor = prepared(db)
        cursor.execute(_PG_POST, params, prepare=True)
        return cursor.fetchone()  # type: ignore[return-value]


def _array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of plain numbers or one-letter codes (nothing to escape)."""
    return "{" + ",".join(map(str, values)) + "}"


def _post_sqlite(
    db: Any,
    entry: JournalEntry,
    chart: StoredChart,
    source: str,
    actor_id: int | None,
    now: dt.datetime,
) -> Outcome:
    ops = db.ops
    date = ops.adapt_datefield_value(entry.date)
    deltas = {chart.ids[code]: delta for code, delta in entry.deltas(chart.accounts).items()}
    ids = sorted(deltas)
    code_of = {chart.ids[code]: code for code in entry.deltas(chart.accounts)}
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        cursor.execute(_sqlite_sql("balances", len(ids)), ids)
        rows = cursor.fetchall()
        if len(rows) != len(ids):
            return "missing", None, None, None, None, None
        state = Balances()
        for account_id, balance, last_date in rows:
            state.balance[code_of[account_id]] = balance
            if last_date is not None:
                state.last_date[code_of[account_id]] = as_date(last_date)
        for account_id, balance, last_date in rows:
            account = chart.accounts[code_of[account_id]]
            if state.refusal(account, deltas[account_id], entry.date) is not None:
                # A replay is answered with the original even when the books have moved on.
                if (taken := _taken(cursor, entry)) is not None:
                    return taken
                return (
                    "refused",
                    None,
                    None,
                    account_id,
                    balance,
                    (as_date(last_date) if last_date is not None else None),
                )
        cursor.execute(
            _SQLITE_INSERT_ENTRY,
            (
                entry.book,
                date,
                entry.memo,
                entry.idempotency_key,
                entry.content_hash,
                entry.reversal_of,
                source,
                actor_id,
                ops.adapt_datetimefield_value(now),
            ),
        )
        if (row := cursor.fetchone()) is None:
            return _taken(cursor, entry)  # type: ignore[return-value]
        entry_id = row[0]
        cursor.executemany(_SQLITE_MOVE, [(deltas[i], date, date, i) for i in ids])
        params: list[Any] = []
        for p in entry.postings:
            params += (entry_id, chart.ids[p.account], str(p.side), p.amount, date)
        cursor.execute(_sqlite_sql("postings", len(entry.postings)), params)
    return "posted", entry_id, None, None, None, None


def _taken(cursor: Any, entry: JournalEntry) -> Outcome | None:
    cursor.execute(
        "SELECT id, content_hash FROM ledger_entry WHERE book = ? AND idempotency_key = ?",
        (entry.book, entry.idempotency_key),
    )
    if (row := cursor.fetchone()) is None:
        return None
    return "taken", row[0], row[1], None, None, None


def _sqlite_sql(kind: str, n: int) -> str:
    if (sql := _sqlite_cache.get((kind, n))) is None:
        if kind == "balances":
            sql = (
                "SELECT account_id, balance, last_date FROM ledger_balance WHERE account_id "
                f"IN ({', '.join(['?'] * n)}) ORDER BY account_id"
            )
        else:
            rows = ", ".join(["(?, ?, ?, ?, ?)"] * n)
            sql = f"INSERT INTO ledger_posting ({', '.join(_POSTING_COLUMNS)}) VALUES {rows}"
        _sqlite_cache[(kind, n)] = sql
    return sql


def audit_facts(entry: JournalEntry, source: str) -> dict:
    return {  # plain JSON types only, so the C encoder serialises it without help
        "book": entry.book,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "idempotency_key": entry.idempotency_key,
        "content_hash": entry.content_hash,
        "reversal_of": entry.reversal_of,
        "source": source,
        "postings": [[p.account, str(p.side), p.amount] for p in entry.postings],
    }


def replay(entry: JournalEntry) -> Entry:
    """The stored entry with the same key: returned if it says the same, else refused."""
    original = Entry.objects.get(book=entry.book, idempotency_key=entry.idempotency_key)
    if original.content_hash != entry.content_hash:
        raise IdempotencyConflict(
            gettext_noop(
                "The idempotency key %(key)s was already used in this book for entry "
                "#%(id)s, which says something else. Nothing was posted; a new entry "
                "needs a new key."
            ),
            {"key": entry.idempotency_key, "id": original.pk},
        )
    original.replayed = True  # type: ignore[attr-defined]
    return original


def post_many(
    entries: Sequence[JournalEntry],
    chart: StoredChart,
    *,
    actor: Any,
    source: str,
    now: dt.datetime,
) -> list[int]:
    """Post a batch inside the caller's transaction: entry ids in input order (a replayed entry
    gives its original's id). Checked in order against the locked balances, refused whole."""
    order: dict[tuple[str, str], int] = {}  # (book, key) -> index of its first entry
    for i, e in enumerate(entries):
        first = order.setdefault((e.book, e.idempotency_key), i)
        if first != i and entries[first].content_hash != e.content_hash:
            raise IdempotencyConflict(
                gettext_noop(
                    "Entries %(first)d and %(second)d of the batch share the "
                    "idempotency key %(key)s but say different things. Nothing was "
                    "posted."
                ),
                {"first": first + 1, "second": i + 1, "key": e.idempotency_key},
            )
    stored = _stored_keys(entries)
    for e in entries:
        if (hit := stored.get((e.book, e.idempotency_key))) and hit[1] != e.content_hash:
            replay(e)  # raises the conflict with the stored entry
    fresh = [
        i
        for i, e in enumerate(entries)
        if order[(e.book, e.idempotency_key)] == i and (e.book, e.idempotency_key) not in stored
    ]

    balances = _locked_balances(entries, chart)
    for i in fresh:
        try:
            balances.apply(entries[i], chart.accounts)
        except LedgerError as exc:
            raise type(exc)(
                gettext_noop("Entry %(n)d of the batch (key %(key)s): %(reason)s"),
                {"n": i + 1, "key": entries[i].idempotency_key, "reason": exc.message.text},
            ) from exc

    new_ids = _allocate_ids(len(fresh))
    ops = connection.ops
    recorded_at = ops.adapt_datetimefield_value(now)
    actor_id = getattr(actor, "pk", None)
    ids, dates = chart.ids, dict[dt.date, Any]()
    entry_rows, posting_rows, audit_items = [], [], []
    ids_by_key = {key: hit[0] for key, hit in stored.items()}
    for entry_id, i in zip(new_ids, fresh, strict=True):
        e = entries[i]
        if (date := dates.get(e.date)) is None:
            date = dates[e.date] = ops.adapt_datefield_value(e.date)
        entry_rows.append(
            (
                entry_id,
                e.book,
                date,
                e.memo,
                e.idempotency_key,
                e.content_hash,
                e.reversal_of,
                source,
                actor_id,
                recorded_at,
            )
        )
        for p in e.postings:
            posting_rows.append((entry_id, ids[p.account], str(p.side), p.amount, date))
        audit_items.append((entry_id, audit_facts(e, source)))
        ids_by_key[(e.book, e.idempotency_key)] = entry_id
    insert_rows("ledger_entry", ("id", *_ENTRY_COLUMNS), entry_rows)
    insert_rows("ledger_posting", _POSTING_COLUMNS, posting_rows)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE ledger_balance SET balance = %s, last_date = %s WHERE account_id = %s",
            [
                (
                    balances.balance[code],
                    ops.adapt_datefield_value(balances.last_date.get(code)),
                    chart.ids[code],
                )
                for code in sorted(balances.balance, key=chart.ids.__getitem__)
            ],
        )
    append_many(
        actor=actor,
        action="ledger.entry.post",
        object_type="ledger.entry",
        items=audit_items,
        at=now,
    )
    return [ids_by_key[(e.book, e.idempotency_key)] for e in entries]


def _stored_keys(entries: Sequence[JournalEntry]) -> dict[tuple[str, str], tuple[int, str]]:
    """(book, key) -> (id, content hash) of the batch's keys that are already taken."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    by_book: dict[str, list[str]] = {}
    for e in entries:
        by_book.setdefault(e.book, []).append(e.idempotency_key)
    sql = (
        "SELECT idempotency_key, id, content_hash FROM ledger_entry "
        "WHERE book = %s AND idempotency_key = ANY(%s)"
    )
    for book, keys in by_book.items():
        if connection.vendor == "postgresql":
            # One query, the keys bound as one array on the server.
            with connection.wrap_database_errors:
                rows = prepared(connection).execute(sql, (book, keys)).fetchall()
        else:
            rows = []
            with connection.cursor() as cursor:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    cursor.execute(
                        "SELECT idempotency_key, id, content_hash FROM ledger_entry WHERE "
                        f"book = %s AND idempotency_key IN ({', '.join(['%s'] * len(chunk))})",
                        [book, *chunk],
                    )
                    rows += cursor.fetchall()
        for key, entry_id, digest in rows:
            found[(book, key)] = (entry_id, digest)
    return found


def _locked_balances(entries: Sequence[JournalEntry], chart: StoredChart) -> Balances:
    """The current balances of every account the batch touches, locked in id order."""
    codes = {p.account for e in entries for p in e.postings}
    ids = sorted(chart.ids[code] for code in codes)
    code_of = {chart.ids[code]: code for code in codes}
    state = Balances()
    if not ids:
        return state
    marks = ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, balance, last_date FROM ledger_balance "
            f"WHERE account_id IN ({marks}) ORDER BY account_id{lock}",
            ids,
        )
        for account_id, balance, last_date in cursor.fetchall():
            state.balance[code_of[account_id]] = balance
            if last_date is not None:
                state.last_date[code_of[account_id]] = as_date(last_date)
    return state


def _allocate_ids(n: int) -> list[int]:
    if n == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT array_agg(nextval(pg_get_serial_sequence('ledger_entry', 'id')))"
                " FROM generate_series(1, %s)",
                [n],
            )
            return sorted(cursor.fetchone()[0])
        # SQLite: this transaction holds the database's write lock, so nobody else takes ids.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_entry")
        (top,) = cursor.fetchone()
        return list(range(top + 1, top + 1 + n))


def as_date(value: Any) -> dt.date:
    """A date column's value: a date from PostgreSQL, text from SQLite's plain cursors."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
