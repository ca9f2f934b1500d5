"""API tokens: stored as digests only, shown once, refused when revoked, expired or orphaned."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patientcap.accounts import scoping, services
from patientcap.accounts.auth import user_for_token
from patientcap.accounts.models import ApiToken
from patientcap.audit.models import AuditEntry


def make_token(user, **kwargs):
    options = {"name": "Loan system", "days": 30, "by": user} | kwargs
    return services.create_api_token(user=user, **options)


def test_a_token_is_stored_only_as_a_digest_and_authenticates_its_user(users):
    officer = users["bank_officer"]
    row, token = make_token(officer)
    assert token.startswith(f"pct_{row.prefix}_") and len(token) > 40
    assert row.secret_hash == ApiToken.digest(token) and token not in row.secret_hash
    assert user_for_token(token) == officer
    row.refresh_from_db()
    assert row.last_used_at is not None
    entry = AuditEntry.objects.get(action="api_token.create")
    assert token not in str(entry.after) and entry.after["prefix"] == row.prefix


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret, right prefix
        lambda t: "pct_00000000_" + t.split("_", 2)[2],  # unknown prefix
        lambda t: t.replace("pct_", "xyz_", 1),  # another scheme
        lambda t: "pct_",  # nothing
    ],
)
def test_a_wrong_token_authenticates_nobody(users, mangle):
    _, token = make_token(users["bank_officer"])
    assert user_for_token(mangle(token)) is None


def test_a_revoked_or_expired_token_or_one_of_an_inactive_user_stops_working(users):
    officer = users["bank_officer"]
    revoked, revoked_token = make_token(officer, name="revoked")
    services.revoke_api_token(token=revoked, by=officer)
    assert user_for_token(revoked_token) is None
    with pytest.raises(ValidationError, match="already revoked"):
        services.revoke_api_token(token=revoked, by=officer)

    expired, expired_token = make_token(officer, name="expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert user_for_token(expired_token) is None

    _, live_token = make_token(officer, name="live")
    services.set_active(user=officer, active=False, by=users["zone_officer"])
    assert user_for_token(live_token) is None


def test_bad_token_requests_are_refused_with_a_reason_and_write_nothing(users):
    with pytest.raises(ValidationError) as refused:
        make_token(users["bank_officer"], name=" ", days=0)
    assert set(refused.value.message_dict) == {"name", "days"}
    with pytest.raises(ValidationError, match="1 to 365 days"):
        make_token(users["bank_officer"], days=366)
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="api_token.create").exists()


def test_tokens_are_private_to_their_owner(users):
    row, _ = make_token(users["bank_officer"])
    assert list(scoping.readable(users["bank_officer"], ApiToken)) == [row]
    for key in ("zone_officer", "auditor", "other_bank_officer"):
        assert not scoping.readable(users[key], ApiToken).exists(), key
