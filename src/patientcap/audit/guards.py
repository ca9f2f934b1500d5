"""The audit tables' database guards: entries are append-only; a lane's head cannot be deleted
and only moves forward (so a deleted tail cannot be hidden by winding the head back)."""

from patientcap.audit.append_only import Guard, append_only

AUDIT_GUARDS = [
    *append_only("audit_auditentry", "the audit trail is never changed or deleted"),
    Guard("audit_auditchainhead", "DELETE", "an audit chain head is never deleted"),
    Guard(
        "audit_auditchainhead",
        "UPDATE",
        "an audit chain head only moves forward",
        when="NEW.last_position <= OLD.last_position OR NEW.id <> OLD.id",
    ),
]
