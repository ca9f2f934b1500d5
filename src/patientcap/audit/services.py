"""Appending to the audit trail and verifying it.

`record` runs inside the transaction that makes the change, so the change and its audit entry
commit or roll back together. Extending the chain needs the previous hash, so writers queue on the
chain head from the moment they append until they commit: make `record` the *last* write of the
transaction (the ledger does) so the queue moves fast, and never post to the ledger after
recording in the same transaction on PostgreSQL (locks would then be taken in the opposite order
to the ledger's, balances first and chain head last, and two such writers could deadlock).

On PostgreSQL one statement locks the head, computes the new hash (`sha256()` in SQL, the same
formula as `domain.audit_chain.link`), moves the head and inserts the entry. On SQLite the
transaction already holds the database's single write lock (BEGIN IMMEDIATE).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from patientcap.audit.sql import insert_rows, prepared
from patientcap.audit.models import AuditChainHead, AuditEntry, content
from patientcap.domain.audit_chain import GENESIS, Breach, digest, link, verify_chain

_JSON = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
MAX_TEXT = 100

_COLUMNS = (
    "seq, at, actor_id, actor_name, organisation_id, action, object_type, object_id, "
    "before_json, after_json, prev_hash, hash"
)
_PG_APPEND = f"""
WITH old AS (
    SELECT id, last_seq, last_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE
), head AS (
    UPDATE audit_auditchainhead AS h
       SET last_seq = old.last_seq + 1,
           last_hash = encode(sha256(convert_to(
               old.last_hash || '|' || (old.last_seq + 1)::text || '|' || %s::text, 'UTF8')),
               'hex')
      FROM old
     WHERE h.id = old.id
    RETURNING h.last_seq, old.last_hash AS prev_hash, h.last_hash
)
INSERT INTO audit_auditentry ({_COLUMNS})
SELECT last_seq, %s::timestamptz, %s::bigint, %s::text, %s::bigint, %s::text, %s::text, %s::text,
       %s::text, %s::text, prev_hash, last_hash
  FROM head
RETURNING seq, prev_hash, hash
"""
_ENSURE_HEAD = (
    "INSERT INTO audit_auditchainhead (id, last_seq, last_hash) SELECT 1, 0, %s "
    "WHERE NOT EXISTS (SELECT 1 FROM audit_auditchainhead) "
    "AND NOT EXISTS (SELECT 1 FROM audit_auditentry)"
)


def to_json(value: Any) -> str:
    """Canonical JSON text of a before/after value ("" for None); dates, Decimals and lazy
    strings become strings."""
    return "" if value is None else _JSON.encode(value)


def record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry to the chain and return it. Must run inside the transaction that made
    the change."""
    facts = _facts(actor, action, object_type, object_id, before, after, at)
    seq, prev_hash, hash_ = _append(facts)
    entry = AuditEntry(seq=seq, prev_hash=prev_hash, hash=hash_, **facts)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def append(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    at: dt.datetime | None = None,
) -> int:
    """`record` for hot paths: the same entry, but only its number comes back."""
    return _append(_facts(actor, action, object_type, object_id, before, after, at))[0]


def append_many(
    *,
    actor: Any,
    action: str,
    object_type: str,
    items: Sequence[tuple[Any, dict | None]],
    at: dt.datetime | None = None,
) -> list[int]:
    """Many entries of one action at once, e.g. a batch import: `items` are (object_id, after)
    pairs. The head is locked and moved once; the entries are chained exactly as `record` would
    have chained them one by one. Returns their numbers."""
    facts = [_facts(actor, action, object_type, oid, None, after, at) for oid, after in items]
    if not facts:
        return []
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_ENSURE_HEAD, (GENESIS,))
        cursor.execute(f"SELECT last_seq, last_hash FROM audit_auditchainhead WHERE id = 1{lock}")
        head = cursor.fetchone()
        if head is None:
            raise RuntimeError("the audit chain head is missing but entries exist: run "
                               "`patientcap audit verify`")
        first, prev_hash = head[0] + 1, head[1]
        rows = []
        adapt = connection.ops.adapt_datetimefield_value
        for seq, f in enumerate(facts, first):
            hash_ = link(prev_hash, seq, digest(content(**f)))
            rows.append((seq, adapt(f["at"]), f["actor_id"], f["actor_name"], f["organisation_id"],
                         f["action"], f["object_type"], f["object_id"], f["before_json"],
                         f["after_json"], prev_hash, hash_))
            prev_hash = hash_
        insert_rows("audit_auditentry", _COLUMNS.split(", "), rows)
        last = first + len(rows) - 1
        cursor.execute("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s "
                       "WHERE id = 1 AND last_seq = %s", (last, prev_hash, first - 1))
        if cursor.rowcount != 1:
            raise RuntimeError("the audit chain head moved during this transaction")
    return list(range(first, last + 1))


def _facts(actor: Any, action: str, object_type: str, object_id: Any, before: Any, after: Any,
           at: dt.datetime | None) -> dict[str, Any]:
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    object_id = str(object_id)
    for name, value in (("action", action), ("object_type", object_type),
                        ("object_id", object_id)):
        if len(value) > MAX_TEXT or (name != "object_id" and not value):
            raise ValueError(f"audit {name} must be 1 to {MAX_TEXT} characters: {value!r}")
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif at.tzinfo is None:
        raise ValueError("audit timestamps are timezone-aware")
    is_user = getattr(actor, "pk", None) is not None
    return {
        "at": at.astimezone(dt.UTC),
        "actor_id": actor.pk if is_user else None,
        "actor_name": actor.get_username() if is_user else ("anonymous" if actor else "system"),
        "organisation_id": getattr(actor, "organisation_id", None) if is_user else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before_json": to_json(before),
        "after_json": to_json(after),
    }


def _append(facts: dict[str, Any]) -> tuple[int, str, str]:
    content_digest = digest(content(**facts))
    at = connection.ops.adapt_datetimefield_value(facts["at"])
    values = (at, facts["actor_id"], facts["actor_name"], facts["organisation_id"],
              facts["action"], facts["object_type"], facts["object_id"], facts["before_json"],
              facts["after_json"])
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, prepared() as cursor:
            for _ in range(2):
                cursor.execute(_PG_APPEND, (content_digest, *values), prepare=True)
                if (row := cursor.fetchone()) is not None:
                    return row
                cursor.execute(_ENSURE_HEAD, (GENESIS,))
    else:
        with connection.cursor() as cursor:
            for _ in range(2):
                cursor.execute("SELECT last_seq, last_hash FROM audit_auditchainhead WHERE id = 1")
                if (head := cursor.fetchone()) is not None:
                    seq, prev_hash = head[0] + 1, head[1]
                    hash_ = link(prev_hash, seq, content_digest)
                    cursor.execute(
                        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s "
                        "WHERE id = 1 AND last_seq = %s", (seq, hash_, seq - 1))
                    if cursor.rowcount != 1:
                        raise RuntimeError("the audit chain head moved during this transaction")
                    cursor.execute(
                        f"INSERT INTO audit_auditentry ({_COLUMNS}) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (seq, *values, prev_hash, hash_))
                    return seq, prev_hash, hash_
                cursor.execute(_ENSURE_HEAD, (GENESIS,))
    raise RuntimeError("the audit chain head is missing but entries exist: run "
                       "`patientcap audit verify`")


def ensure_head() -> None:
    """Start the chain on an empty trail (after migrate or flush); never restart a used one."""
    with connection.cursor() as cursor:
        cursor.execute(_ENSURE_HEAD, (GENESIS,))


_VERIFY_FIELDS = ("seq", "prev_hash", "hash", "at", "actor_id", "actor_name", "organisation_id",
                  "action", "object_type", "object_id", "before_json", "after_json")


def verify() -> list[Breach]:
    """Walk the stored chain from the first entry to the head and report every break.

    The head is read first: entries appended while the walk runs lie beyond it and are left for
    the next run, so verifying never blocks writers.
    """
    head = AuditChainHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    rows = AuditEntry.objects.order_by("seq")
    if head is not None:
        rows = rows.filter(seq__lte=head[0])
    return verify_chain(
        (
            (seq, prev, hash_, content(at=at, actor_id=actor_id, actor_name=actor_name,
                                       organisation_id=org, action=action, object_type=otype,
                                       object_id=oid, before_json=before, after_json=after))
            for seq, prev, hash_, at, actor_id, actor_name, org, action, otype, oid, before, after
            in rows.values_list(*_VERIFY_FIELDS).iterator(chunk_size=5000)
        ),
        head=head,
    )
