"""The ledger tables' database guards: entries and postings are append-only (a correction is a
reversal), balance rows and accounts are never deleted, and an account's code, book, normal side
and floor never change once it has been created (balances and postings depend on them)."""

from patientcap.audit.append_only import Guard, append_only

_REVERSE = "post a reversal entry instead"

LEDGER_GUARDS = [
    *append_only("ledger_entry", _REVERSE),
    *append_only("ledger_posting", _REVERSE),
    Guard("ledger_balance", "DELETE", "ledger balances are never deleted"),
    Guard(
        "ledger_balance",
        "UPDATE",
        "a balance row keeps its account and floor",
        when="NEW.account_id <> OLD.account_id OR NEW.floor <> OLD.floor",
    ),
    Guard("ledger_account", "DELETE", "ledger accounts are never deleted"),
    Guard(
        "ledger_account",
        "UPDATE",
        "an account's code, book, normal side and floor never change",
        when="NEW.code <> OLD.code OR NEW.book <> OLD.book OR NEW.normal_side <> OLD.normal_side"
        " OR NEW.must_not_go_negative <> OLD.must_not_go_negative",
    ),
]
