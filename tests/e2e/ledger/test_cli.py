"""The operator's commands, run as an operator runs them: `patientcap ledger verify` and
`patientcap audit verify` on a database of their own exit 0 on sound books and non-zero, naming
each breach, once a row was tampered with behind the triggers."""

import os
import sqlite3
import subprocess
import sys

import pytest


def patientcap(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "patientcap.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "books.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEBUG": "0"}
    assert patientcap("migrate", "-v", "0", env=env).returncode == 0
    script = (
        "import datetime as dt, django; django.setup()\n"
        "from patientcap.ledger.services import post_entry\n"
        "from patientcap.domain.ledger import debit, credit\n"
        "post_entry(book='fiscal_pool', date=dt.date(2025, 1, 2), memo='Budget', "
        "idempotency_key='b', actor=None, postings=[debit('fiscal_pool.cash', 500), "
        "credit('fiscal_pool.contributions', 500)])\n"
    )
    posted = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "patientcap.settings"},
        check=False,
    )
    assert posted.returncode == 0, posted.stderr
    return path, env


def test_verify_commands_pass_sound_books(scratch):
    _, env = scratch
    ledger = patientcap("ledger", "verify", env=env)
    assert ledger.returncode == 0 and "every invariant holds" in ledger.stdout
    audit = patientcap("audit", "verify", env=env)
    assert audit.returncode == 0 and "every chain holds" in audit.stdout


def test_verify_commands_exit_non_zero_after_tampering(scratch):
    path, env = scratch
    db = sqlite3.connect(path)
    with db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE ledger_posting SET amount = 900")
        db.execute("DROP TRIGGER guard_ledger_posting_update")
        db.execute("DROP TRIGGER guard_audit_auditentry_delete")
        db.execute(
            "UPDATE ledger_posting SET amount = 900 WHERE account_id = "
            "(SELECT id FROM ledger_account WHERE code = 'fiscal_pool.cash')"
        )
        db.execute(
            "DELETE FROM audit_auditentry WHERE seq = (SELECT max(seq) FROM audit_auditentry)"
        )
    db.close()
    ledger = patientcap("ledger", "verify", env=env)
    assert ledger.returncode != 0
    assert "does not balance" in ledger.stdout and "breach(es) found" in ledger.stderr
    audit = patientcap("audit", "verify", env=env)
    assert audit.returncode != 0 and "the newest entries were deleted" in audit.stdout
