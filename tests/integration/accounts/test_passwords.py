"""Passwords are stored as Argon2id with OWASP's parameters (m=19456 KiB, t=2, p=1)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from tests.support import PASSWORD, make_user

from patientcap import settings as production

OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # conftest speeds tests up with MD5


def test_a_stored_password_hash_is_argon2id_with_the_owasp_parameters(argon2, orgs):
    user = make_user("hashed", "zone_officer", orgs["zone"])
    assert user.password.startswith(OWASP)
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_a_hash_made_with_other_argon2_parameters_is_upgraded_at_the_next_login(argon2, orgs):
    user = make_user("old_hash", "zone_officer", orgs["zone"])
    django_default = Argon2PasswordHasher()  # 100 MiB, p=8
    user.password = django_default.encode(PASSWORD, django_default.salt())
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    user.save(update_fields=["password"])

    assert user.check_password(PASSWORD)  # verifies, then re-hashes with the current parameters
    user.refresh_from_db()
    assert user.password.startswith(OWASP)
    assert check_password(PASSWORD, user.password)
