"""Appending to the audit trail and verifying it.

`record` runs inside the transaction that makes the change, so the change and its audit entry
commit or roll back together. Extending a chain needs the previous hash, so a transaction holds
its lane's head from the moment it appends until it commits (the commit included); with LANES
lanes, that many transactions can do so at once, each taking a lane no one else holds
(`SKIP LOCKED`), and only more writers than lanes ever wait. Make `record` the last write of the
transaction anyway (the ledger does): the lane is then held for the shortest time.

On PostgreSQL one call of the `audit_append` function (`pg.py`) locks a lane, computes the new
hash (`sha256()` in SQL, the formulas of `domain.audit_chain`), moves the head and inserts the
entry. On SQLite the transaction already holds the database's single write lock (BEGIN
IMMEDIATE), so one lane serves and Python computes the hash.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from hashlib import sha256
from json.encoder import encode_basestring as _encode
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from patientcap.audit.models import AuditChainHead, AuditEntry, content
from patientcap.audit.sql import insert_rows, prepared
from patientcap.domain.audit_chain import GENESIS, Breach, canonical, digest, link, verify_chain

_JSON = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
MAX_TEXT = 100

LANES = 8  # concurrent writers that never wait for each other's commit
_COLUMNS = (
    "lane, position, at, actor_id, actor_name, organisation_id, action, object_type, "
    "object_id, before_json, after_json, prev_hash, hash"
)
_PG_APPEND = (
    "SELECT o_seq, o_lane, o_position, o_prev_hash, o_hash FROM audit_append(%s::integer, "
    "%s::text, %s::text, %s::text, %s::timestamptz, %s::bigint, %s::text, %s::bigint, "
    "%s::text, %s::text, %s::text, %s::text)"
)
# Stands in for the object id while the content is serialised (a NUL never survives JSON
# unescaped, and the key is written once, at the top level).
_OBJECT_ID_MARK = '"object_id":"\\u0000"'
_ENSURE_LANE = (
    "INSERT INTO audit_auditchainhead (id, last_position, last_hash) SELECT %s, 0, %s "
    "WHERE NOT EXISTS (SELECT 1 FROM audit_auditchainhead WHERE id = %s) "
    "AND NOT EXISTS (SELECT 1 FROM audit_auditentry WHERE lane = %s)"
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
    """Append one entry to the trail and return it. Must run inside the transaction that made
    the change."""
    _in_transaction()
    facts = prepare(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        at=at,
    )
    seq, lane, position, prev_hash, hash_ = _append(facts)
    entry = AuditEntry(
        seq=seq, lane=lane, position=position, prev_hash=prev_hash, hash=hash_, **facts
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def append_prepared(facts: dict[str, Any]) -> int:
    """Append what `prepare` returned (its object id filled in); returns the entry's number."""
    _in_transaction()
    return _append(facts)[0]


def append_many(
    *,
    actor: Any,
    action: str,
    object_type: str,
    items: Sequence[tuple[Any, dict | None]],
    at: dt.datetime | None = None,
) -> list[int]:
    """Many entries of one action at once, e.g. a batch import: `items` are (object_id, after)
    pairs. One lane is locked and moved once; the entries are chained in it exactly as `record`
    would have chained them one by one. Returns their numbers."""
    _in_transaction()
    if not items:
        return []
    common = prepare(actor=actor, action=action, object_type=object_type, at=at)
    canonical_text = _canonical_filler(common)
    at_value = connection.ops.adapt_datetimefield_value(common["at"])
    head = (
        at_value,
        common["actor_id"],
        common["actor_name"],
        common["organisation_id"],
        action,
        object_type,
    )
    with connection.cursor() as cursor:
        lane, last, prev_hash = _lock_lane(cursor)
        rows = []
        for position, (object_id, after) in enumerate(items, last + 1):
            object_id, after_json = str(object_id), to_json(after)
            if len(object_id) > MAX_TEXT:
                raise ValueError(f"audit object_id must be at most {MAX_TEXT} characters")
            content_digest = sha256(canonical_text(after_json, object_id).encode()).hexdigest()
            hash_ = link(prev_hash, lane, position, content_digest)
            rows.append((lane, position, *head, object_id, "", after_json, prev_hash, hash_))
            prev_hash = hash_
        insert_rows("audit_auditentry", _COLUMNS.split(", "), rows)
        _move_head(cursor, lane, last, last + len(rows), prev_hash)
        cursor.execute(
            "SELECT seq FROM audit_auditentry WHERE lane = %s AND position > %s ORDER BY position",
            (lane, last),
        )
        return [seq for (seq,) in cursor.fetchall()]


def _canonical_filler(facts: dict[str, Any]) -> Callable[[str, str], str]:
    """`canonical(content)` as text for entries that differ only in `after` and object id,
    without serialising the whole content again for each (batch imports): the common text is
    cut where the two values go, and each is JSON-encoded exactly as `json.dumps` would."""
    marked = canonical(content(**{**facts, "after_json": "\x01", "object_id": "\x02"})).decode()
    start, rest = marked.split('"after":"\\u0001"')
    middle, end = rest.split('"object_id":"\\u0002"')
    return lambda after_json, object_id: (
        f'{start}"after":{_encode(after_json)}{middle}"object_id":{_encode(object_id)}{end}'
    )


def _in_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change")


def prepare(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The columns of an audit entry, checked, before it is chained. For a statement that
    appends in the database itself (see `digest_parts`); everyone else calls `record`."""
    object_id = str(object_id)
    for name, value in (("action", action), ("object_type", object_type), ("object_id", object_id)):
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


def digest_parts(facts: dict[str, Any]) -> tuple[str, str]:
    """The canonical content as text, split where the object id goes: the digest is
    SHA-256(prefix + object id + suffix), exactly `domain.audit_chain.digest(content)`. The
    database's `audit_append` takes the two parts, so the object id may be one only the database
    knows yet."""
    text = canonical(content(**{**facts, "object_id": "\x00"})).decode()
    prefix, suffix = text.split(_OBJECT_ID_MARK)
    return prefix + '"object_id":"', '"' + suffix


def _append(facts: dict[str, Any]) -> tuple[int, int, int, str, str]:
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors:
            cursor = prepared(connection)
            prefix, suffix = digest_parts(facts)
            cursor.execute(
                _PG_APPEND,
                (
                    LANES,
                    prefix,
                    facts["object_id"],
                    suffix,
                    facts["at"],
                    facts["actor_id"],
                    facts["actor_name"],
                    facts["organisation_id"],
                    facts["action"],
                    facts["object_type"],
                    facts["before_json"],
                    facts["after_json"],
                ),
                prepare=True,
            )
            return cursor.fetchone()  # type: ignore[return-value]
    content_digest = digest(content(**facts))
    at = connection.ops.adapt_datetimefield_value(facts["at"])
    values = (
        at,
        facts["actor_id"],
        facts["actor_name"],
        facts["organisation_id"],
        facts["action"],
        facts["object_type"],
        facts["object_id"],
        facts["before_json"],
        facts["after_json"],
    )
    with connection.cursor() as sqlite_cursor:
        lane, position, prev_hash = _lock_lane(sqlite_cursor)
        position += 1
        hash_ = link(prev_hash, lane, position, content_digest)
        sqlite_cursor.execute(
            f"INSERT INTO audit_auditentry ({_COLUMNS}) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (lane, position, *values, prev_hash, hash_),
        )
        seq = sqlite_cursor.lastrowid
        _move_head(sqlite_cursor, lane, position - 1, position, hash_)
    return seq, lane, position, prev_hash, hash_


def _lock_lane(cursor: Any) -> tuple[int, int, str]:
    """(lane, last position, last hash) of a lane locked for this transaction. SQLite has one
    writer at a time, so one lane is all it needs."""
    if connection.vendor == "postgresql":
        free = "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
        own = f"WHERE id = mod(pg_backend_pid(), {LANES}) + 1 FOR UPDATE"
    else:
        free = own = "WHERE id = 1"
    for where in (free, own):
        cursor.execute(f"SELECT id, last_position, last_hash FROM audit_auditchainhead {where}")
        if (row := cursor.fetchone()) is not None:
            return row
        ensure_head()
    raise RuntimeError("an audit chain head is missing: run `patientcap audit verify`")


def _move_head(cursor: Any, lane: int, old: int, new: int, hash_: str) -> None:
    cursor.execute(
        "UPDATE audit_auditchainhead SET last_position = %s, last_hash = %s "
        "WHERE id = %s AND last_position = %s",
        (new, hash_, lane, old),
    )
    if cursor.rowcount != 1:
        raise RuntimeError("an audit chain head moved under a transaction that held it")


def ensure_head() -> None:
    """Start each lane that has neither a head nor entries (after migrate or flush); a used lane
    is never restarted."""
    with connection.cursor() as cursor:
        for lane in range(1, LANES + 1):
            cursor.execute(_ENSURE_LANE, (lane, GENESIS, lane, lane))


_CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "before_json",
    "after_json",
)
_VERIFY_FIELDS = ("seq", "position", "prev_hash", "hash", *_CONTENT_FIELDS)


def verify() -> list[Breach]:
    """Walk every lane from its first entry to its head and report every break.

    The heads are read first: entries appended while the walk runs lie beyond them and are left
    for the next run, so verifying never blocks writers.
    """
    heads = {
        lane: (position, hash_)
        for lane, position, hash_ in AuditChainHead.objects.values_list(
            "id", "last_position", "last_hash"
        )
    }
    lanes = set(heads) | set(AuditEntry.objects.values_list("lane", flat=True).distinct())
    breaches: list[Breach] = []
    for lane in sorted(lanes):
        rows = AuditEntry.objects.filter(lane=lane).order_by("position")
        if lane in heads:
            rows = rows.filter(position__lte=heads[lane][0])
        walk = (
            (
                row[0],
                row[1],
                row[2],
                row[3],
                content(**dict(zip(_CONTENT_FIELDS, row[4:], strict=True))),
            )
            for row in rows.values_list(*_VERIFY_FIELDS).iterator(chunk_size=5000)
        )
        breaches += verify_chain(lane, walk, head=heads.get(lane))
    return breaches
