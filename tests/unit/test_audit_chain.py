"""The audit trail's hash chains, pure: every edit, deletion and deleted tail is reported."""

import hashlib

from patientcap.domain.audit_chain import GENESIS, digest, entry_hash, link, verify_chain


def chain(lane: int, contents: list[dict], first_seq: int = 1) -> list[tuple]:
    rows, prev = [], GENESIS
    for position, content in enumerate(contents, 1):
        h = entry_hash(prev, lane, position, content)
        rows.append((first_seq + position - 1, position, prev, h, content))
        prev = h
    return rows


def reasons(breaches) -> list[str]:
    return [b.reason for b in breaches]


CONTENTS = [{"action": f"a{i}", "after": f'{{"n":{i}}}'} for i in range(1, 6)]


def test_an_intact_lane_verifies():
    rows = chain(3, CONTENTS)
    assert verify_chain(3, rows, head=(5, rows[-1][3])) == []


def test_the_hash_is_the_published_formula():
    content = {"action": "x"}
    assert entry_hash(GENESIS, 2, 1, content) == link(GENESIS, 2, 1, digest(content))
    expected = hashlib.sha256(f"{GENESIS}|2|1|{digest(content)}".encode()).hexdigest()
    assert entry_hash(GENESIS, 2, 1, content) == expected


def test_an_edited_entry_is_reported():
    rows = chain(1, CONTENTS)
    seq, position, prev, h, content = rows[2]
    rows[2] = (seq, position, prev, h, {**content, "after": '{"n":999}'})
    breaches = verify_chain(1, rows, head=(5, rows[-1][3]))
    assert reasons(breaches) == ["content does not match its hash: the entry was edited"]
    assert str(breaches[0]).startswith("audit lane 1, entry 3:")


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_next_link():
    rows = chain(1, CONTENTS)
    seq, position, prev, _, content = rows[1]
    forged = {**content, "action": "forged"}
    rows[1] = (seq, position, prev, entry_hash(prev, 1, position, forged), forged)
    assert reasons(verify_chain(1, rows, head=(5, rows[-1][3]))) == [
        "link broken: an entry before it was changed or removed"
    ]


def test_a_deleted_entry_is_reported_as_missing():
    rows = chain(1, CONTENTS)
    del rows[1]
    assert reasons(verify_chain(1, rows, head=(5, rows[-1][3]))) == [
        "entries 2 are missing: deleted",
        "link broken: an entry before it was changed or removed",
    ]


def test_a_deleted_tail_is_caught_against_the_head():
    rows = chain(1, CONTENTS)
    head = (5, rows[-1][3])
    assert reasons(verify_chain(1, rows[:3], head=head)) == [
        "entries 4–5 are missing: the newest entries were deleted"
    ]


def test_entries_without_a_head_are_reported():
    assert reasons(verify_chain(1, chain(1, CONTENTS), head=None)) == ["the lane's head is missing"]


def test_numbers_must_grow_with_positions_within_a_lane():
    rows = chain(1, CONTENTS[:2], first_seq=10)
    rows[1] = (5, *rows[1][1:])
    assert reasons(verify_chain(1, rows, head=(2, rows[-1][3]))) == ["number #5 is out of order"]


def test_an_entry_moved_to_another_lane_does_not_verify():
    rows = chain(1, CONTENTS)
    assert "content does not match its hash: the entry was edited" in reasons(
        verify_chain(2, rows, head=(5, rows[-1][3]))
    )
