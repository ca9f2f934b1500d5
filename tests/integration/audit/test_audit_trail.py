"""The audit trail on the real database: appended inside the change's transaction, chained in
lanes, append-only in the database, and every edit, deletion and deleted tail caught by
`patientcap audit verify`."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from tests.integration.audit.tampering import tamper

from patientcap.audit.models import AuditChainHead, AuditEntry
from patientcap.audit.services import append_many, record, verify

pytestmark = pytest.mark.django_db


def _record(n: int = 3, actor=None) -> list[AuditEntry]:
    with transaction.atomic():
        return [
            record(
                actor=actor,
                action="thing.update",
                object_type="thing",
                object_id=i,
                before={"n": i},
                after={"n": i + 1, "when": dt.date(2025, 1, i + 1)},
            )
            for i in range(n)
        ]


def _verify_output() -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_recorded_entries_verify_and_keep_who_what_before_and_after(users):
    [entry] = _record(1, actor=users["zone_officer"])
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.actor_name == "zone_officer"
    assert stored.organisation_id == users["zone_officer"].organisation_id
    assert stored.before == {"n": 0} and stored.after == {"n": 1, "when": "2025-01-01"}
    assert stored.hash == entry.hash and stored.lane == entry.lane
    assert verify() == []
    ok, output = _verify_output()
    assert ok and "every chain holds" in output


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    """(A transactional test: its flush afterwards also shows that flushing lifts the guards.)"""
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=None, action="thing.update", object_type="thing")


def test_a_rolled_back_change_leaves_no_audit_entry_and_the_chain_intact():
    before = AuditEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(actor=None, action="thing.update", object_type="thing")
        1 / 0  # noqa: B018
    assert AuditEntry.objects.count() == before
    _record(1)
    assert verify() == []


def test_a_batch_append_chains_exactly_like_single_records():
    with transaction.atomic():
        seqs = append_many(
            actor=None,
            action="thing.import",
            object_type="thing",
            items=[(i, {"row": i}) for i in range(5)],
        )
    assert len(seqs) == 5 and seqs == sorted(seqs)
    lanes = set(AuditEntry.objects.filter(seq__in=seqs).values_list("lane", flat=True))
    assert len(lanes) == 1
    _record(2)
    assert verify() == []


def test_the_database_refuses_to_update_or_delete_audit_entries():
    [entry] = _record(1)
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditentry WHERE seq = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="audit trail is never changed"),
            transaction.atomic(),
            transaction.get_connection().cursor() as cursor,
        ):
            cursor.execute(sql, [entry.seq])


def test_the_database_refuses_to_wind_a_chain_head_back_or_delete_it():
    _record(1)
    head = AuditChainHead.objects.filter(last_position__gt=0).first()
    with pytest.raises(IntegrityError, match="only moves forward"), transaction.atomic():
        AuditChainHead.objects.filter(pk=head.pk).update(last_position=0)
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        AuditChainHead.objects.filter(pk=head.pk).delete()


def test_audit_verify_reports_an_edited_entry():
    entries = _record(3)
    tamper(
        "UPDATE audit_auditentry SET after_json = %s WHERE seq = %s", ['{"n":1000}', entries[1].seq]
    )
    ok, output = _verify_output()
    assert not ok
    assert f"entry {entries[1].position}: content does not match its hash" in output


def test_audit_verify_reports_a_deleted_entry():
    entries = _record(3)
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [entries[1].seq])
    ok, output = _verify_output()
    assert not ok
    assert f"entries {entries[1].position} are missing: deleted" in output


def test_audit_verify_reports_a_deleted_tail():
    entries = _record(3)
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [entries[1].seq])
    ok, output = _verify_output()
    assert not ok
    assert "the newest entries were deleted" in output


def test_audit_verify_reports_an_entry_rewritten_with_a_recomputed_hash():
    entries = _record(3)
    tamper("UPDATE audit_auditentry SET hash = %s WHERE seq = %s", ["f" * 64, entries[0].seq])
    ok, output = _verify_output()
    assert not ok and "link broken" in output


def test_the_guards_are_back_after_tampering():
    [entry] = _record(1)
    tamper("UPDATE audit_auditentry SET action = 'x' WHERE seq = %s", [entry.seq])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(seq=entry.seq).update(action="y")
