"""The audit trail's hash chains: each entry's hash covers its lane, its position in the lane,
its content and the previous hash in the same lane.

The trail is split into a few *lanes*, each a hash chain of its own with its own head: a writer
extends whichever lane no other transaction holds, so concurrent writers do not queue behind each
other's commits (a single chain would let only one transaction at a time commit). Within a lane:

    hash(n) = SHA-256("<hash(n-1)>|<lane>|<n>|<digest>"),  digest = SHA-256(canonical content)

where position 1 links to GENESIS. The link is plain ASCII so that the database can compute it
too (PostgreSQL extends a lane in one statement). Editing a stored entry changes its digest;
deleting one leaves a gap in its lane's positions and a broken link; deleting a lane's newest
entries is caught against the lane's head, which only ever moves forward. Pure: no I/O, no clock.

>>> content = {"action": "create"}
>>> h1 = entry_hash(GENESIS, 1, 1, content)
>>> verify_chain(1, [(10, 1, GENESIS, h1, content)], head=(1, h1))
[]
>>> [b.reason for b in verify_chain(1, [(10, 1, GENESIS, h1, {"action": "x"})], head=(1, h1))]
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
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def link(prev_hash: str, lane: int, position: int, content_digest: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{lane}|{position}|{content_digest}".encode()).hexdigest()


def entry_hash(prev_hash: str, lane: int, position: int, content: Mapping[str, Any]) -> str:
    return link(prev_hash, lane, position, digest(content))


@dataclass(frozen=True)
class Breach:
    lane: int
    position: int
    reason: str

    def __str__(self) -> str:
        return f"audit lane {self.lane}, entry {self.position}: {self.reason}"


def verify_chain(
    lane: int,
    entries: Iterable[tuple[int, int, str, str, Mapping[str, Any]]],
    *,
    head: tuple[int, str] | None,
) -> list[Breach]:
    """Walk one lane's (seq, position, prev_hash, hash, content) in position order and report
    every break. `head` is the lane's stored head (last position, last hash), or None.

    `seq` is the entry's number across all lanes; within a lane it must grow with the position
    (a lane is extended by one transaction at a time).
    """
    breaches: list[Breach] = []
    expected_prev, expected_position, last_seq = GENESIS, 1, 0
    for seq, position, prev_hash, stored_hash, content in entries:
        if position != expected_position:
            first, last = expected_position, position - 1
            span = f"{first}" if first == last else f"{first}–{last}"
            breaches.append(Breach(lane, position, f"entries {span} are missing: deleted"))
        if prev_hash != expected_prev:
            breaches.append(
                Breach(lane, position, "link broken: an entry before it was changed or removed")
            )
        if entry_hash(prev_hash, lane, position, content) != stored_hash:
            breaches.append(
                Breach(lane, position, "content does not match its hash: the entry was edited")
            )
        if seq <= last_seq:
            breaches.append(Breach(lane, position, f"number #{seq} is out of order"))
        expected_prev, expected_position, last_seq = stored_hash, position + 1, seq
    last_position = expected_position - 1
    if head is None:
        if last_position:
            breaches.append(Breach(lane, last_position, "the lane's head is missing"))
    elif head != (last_position, expected_prev):
        head_position, _ = head
        if head_position > last_position:
            breaches.append(
                Breach(
                    lane,
                    head_position,
                    f"entries {last_position + 1}–{head_position} are missing: "
                    "the newest entries were deleted",
                )
            )
        else:
            breaches.append(
                Breach(lane, last_position, "the lane's head does not match its newest entry")
            )
    return breaches
