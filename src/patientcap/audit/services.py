"""Appending to the audit trail and verifying it."""

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from django.db import connection

from patientcap.audit.models import AuditChainHead, AuditEntry
from patientcap.domain.audit_chain import GENESIS, Breach, entry_hash, verify_chain


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
    """Append one entry to the chain. Must run inside the transaction that made the change, so
    the change and its audit entry commit (or roll back) together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    at = at or dt.datetime.now(dt.UTC)
    before, after = _as_stored(before), _as_stored(after)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS}
    )
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        organisation_id=getattr(actor, "organisation_id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry.prev_hash, entry.content())
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(id=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


def _as_stored(value: dict | None) -> dict | None:
    """The value exactly as the JSON column will give it back, so the hash survives a reload
    (dates, Decimals and UUIDs become strings here, not later)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def verify() -> list[Breach]:
    """Walk the stored chain from the first entry to the head and report every break."""
    head = AuditChainHead.objects.filter(id=1).first()
    rows = AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)
    return verify_chain(
        ((e.seq, e.prev_hash, e.hash, e.content()) for e in rows),
        head_hash=head.last_hash if head else None,
    )


