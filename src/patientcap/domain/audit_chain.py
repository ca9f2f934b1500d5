"""The audit trail's hash chain: each entry's hash covers its number, its content and the
previous entry's hash.

hash(n) = SHA-256("<hash(n-1)>|<n>|<digest>"), digest = SHA-256(canonical content), where the
first entry links to GENESIS. The link is plain ASCII so that the database can compute it too
(PostgreSQL extends the chain in one statement while the chain head is locked; see
`patientcap.audit.services`). Editing a stored entry changes its digest; deleting one leaves a
gap in the numbers and a broken link; deleting the newest entries is caught against the chain
head, which only ever moves forward. Pure: no I/O, no clock.

>>> content = {"action": "create"}
>>> h1 = entry_hash(GENESIS, 1, content)
>>> verify_chain([(1, GENESIS, h1, content)], head=(1, h1))
[]
>>> [b.reason for b in verify_chain([(1, GENESIS, h1, {"action": "delete"})], head=(1, h1))]
['content does not match its hash: the entry was edited']
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: Mapping[str, Any]) -> bytes:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8, str() for others."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def link(prev_hash: str, seq: int, content_digest: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{seq}|{content_digest}".encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, content: Mapping[str, Any]) -> str:
    return link(prev_hash, seq, digest(content))


@dataclass(frozen=True)
class Breach:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def verify_chain(
    entries: Iterable[tuple[int, str, str, Mapping[str, Any]]],
    *,
    head: tuple[int, str] | None,
) -> list[Breach]:
    """Walk (seq, prev_hash, hash, content) in seq order and report every break.

    `head` is the stored chain head (last seq, last hash), or None when there is none.
    """
    breaches: list[Breach] = []
    expected_prev, expected_seq = GENESIS, 1
    for seq, prev_hash, stored_hash, content in entries:
        if seq != expected_seq:
            first, last = expected_seq, seq - 1
            span = f"{first}" if first == last else f"{first}–{last}"
            breaches.append(Breach(seq, f"entries {span} are missing: deleted"))
        if prev_hash != expected_prev:
            breaches.append(Breach(seq, "link broken: an entry before it was changed or removed"))
        if entry_hash(prev_hash, seq, content) != stored_hash:
            breaches.append(Breach(seq, "content does not match its hash: the entry was edited"))
        expected_prev, expected_seq = stored_hash, seq + 1
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            breaches.append(Breach(last_seq, "the chain head is missing"))
    elif head != (last_seq, expected_prev):
        head_seq, _ = head
        if head_seq > last_seq:
            breaches.append(Breach(head_seq, f"entries {last_seq + 1}–{head_seq} are missing: "
                                             "the newest entries were deleted"))
        else:
            breaches.append(Breach(last_seq, "the chain head does not match the newest entry"))
    return breaches
