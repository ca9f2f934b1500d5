"""`patientcap token create|list|revoke`."""

import io

import pytest
from django.core.management import CommandError, call_command

from patientcap.accounts.auth import user_for_token
from patientcap.accounts.models import ApiToken


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_prints_a_working_token_once_and_list_shows_only_its_prefix(users):
    token, notice = run("create", "bank_a_officer", "--name", "Loan system", "--days", "30")
    assert user_for_token(token) == users["bank_officer"]
    assert "shown only this once" in notice
    row = ApiToken.objects.get()
    listing, _ = run("list", "bank_a_officer")
    assert row.prefix in listing and "Loan system" in listing and token not in listing


def test_revoke_stops_the_token(users):
    token, _ = run("create", "bank_a_officer", "--name", "Loan system")
    row = ApiToken.objects.get()
    assert ApiToken.objects.get().expires_at.date() > row.created_at.date()
    message, _ = run("revoke", row.prefix)
    assert "revoked" in message and user_for_token(token) is None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("create", "nobody", "--name", "x"), "No user 'nobody'"),
        (("create", "bank_a_officer", "--name", "x", "--days", "0"), "1 to 365 days"),
        (("create", "bank_a_officer", "--name", " "), "Give the token a name"),
        (("revoke", "ffffffff"), "No token with prefix"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_writes_nothing(users, args, reason):
    with pytest.raises(CommandError, match=reason):
        run(*args)
    assert not ApiToken.objects.exists()
