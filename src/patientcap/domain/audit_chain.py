"""The audit trail's hash chain: each entry's hash covers its content and the previous hash.

Editing any stored entry changes its hash; deleting one breaks the link from its successor;
deleting the newest entries is caught against the chain head. Pure: no I/O, no clock.

>>> h1 = entry_hash(GENESIS, {"action": "create", "seq": 1})
>>> verify_chain([(1, GENESIS, h1, {"action": "create", "seq": 1})], head_hash=h1)
[]
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


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class Breach:
    seq: int
    reason: str


def verify_chain(
    entries: Iterable[tuple[int, str, str, Mapping[str, Any]]], *, head_hash: str | None
) -> list[Breach]:
    """Walk (seq, prev_hash, hash, content) in seq order and report every break."""
    breaches: list[Breach] = []
    expected_prev = GENESIS
    last_seq = 0
    for seq, prev_hash, stored_hash, content in entries:
        if prev_hash != expected_prev:
            breaches.append(Breach(seq, "link broken: an entry before it was changed or removed"))
        if entry_hash(prev_hash, content) != stored_hash:
            breaches.append(Breach(seq, "content does not match its hash: the entry was edited"))
        expected_prev = stored_hash
        last_seq = seq
    if head_hash is not None and head_hash != expected_prev:
        breaches.append(Breach(last_seq, "chain head differs: the newest entries were removed"))
    return breaches
