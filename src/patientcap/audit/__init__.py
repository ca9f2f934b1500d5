"""The audit trail: every change (who, when, what, before/after), append-only and hash-chained."""
