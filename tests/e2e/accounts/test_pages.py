"""The account pages: my organisation, my profile with password change, my API tokens."""

import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from tests.e2e.accounts.conftest import post_form
from tests.support import PASSWORD, make_user

from patientcap.accounts import services
from patientcap.accounts.auth import user_for_token
from patientcap.accounts.models import ApiToken, Role
from patientcap.audit.models import AuditEntry

NEW_PASSWORD = "a-much-longer-new-passphrase"


def test_my_organisation_lists_its_people_and_nobody_elses(web, orgs, users):
    make_user("bank_a_colleague", Role.BANK_OFFICER, orgs["bank_a"], first_name="Wang")
    web.force_login(users["bank_officer"])
    page = web.get(reverse("accounts:organisation")).content.decode()
    assert "Bank A" in page and "bank_a_colleague" in page and "Wang" in page
    assert "bank_b_officer" not in page and "zone_officer" not in page


def test_zone_staff_see_their_own_organisations_people_on_the_page(web, users):
    web.force_login(users["reviewer"])
    page = web.get(reverse("accounts:organisation")).content.decode()
    assert "zone_officer" in page and "bank_a_officer" not in page


def test_an_account_without_organisation_gets_an_explanation(web, db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    web.force_login(admin)
    assert b"belongs to no organisation" in web.get(reverse("accounts:organisation")).content


def test_the_account_pages_need_a_login(web, db):
    for name in ("accounts:organisation", "accounts:profile", "accounts:tokens"):
        response = web.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_changing_my_password_keeps_this_session_and_ends_the_others(web, users):
    other_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_browser.force_login(users["bank_officer"])
    web.force_login(users["bank_officer"])

    response = post_form(
        web,
        reverse("accounts:profile"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    users["bank_officer"].refresh_from_db()
    assert users["bank_officer"].check_password(NEW_PASSWORD)
    assert web.get(reverse("accounts:profile")).status_code == 200
    assert other_browser.get(reverse("accounts:profile")).status_code == 302
    assert AuditEntry.objects.filter(action="user.password_change").count() == 1


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(web, users):
    web.force_login(users["bank_officer"])
    for data in (
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    ):
        response = post_form(web, reverse("accounts:profile"), data)
        assert response.status_code == 200 and b"errorlist" in response.content
    users["bank_officer"].refresh_from_db()
    assert users["bank_officer"].check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_a_new_token_is_shown_once_and_then_only_its_prefix(web, users):
    web.force_login(users["bank_officer"])
    response = post_form(
        web, reverse("accounts:tokens"), {"name": "Loan system", "days": 30, "password": PASSWORD}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    row = ApiToken.objects.get(user=users["bank_officer"])
    token = re.search(r'<code id="token">([^<]+)</code>', response.content.decode()).group(1)
    assert user_for_token(token) == users["bank_officer"]

    listing = web.get(reverse("accounts:tokens")).content.decode()
    assert row.prefix in listing and "Loan system" in listing
    assert token not in listing


def test_creating_a_token_needs_my_password_again(web, users):
    web.force_login(users["bank_officer"])
    response = post_form(
        web,
        reverse("accounts:tokens"),
        {"name": "Loan system", "days": 30, "password": "not-my-password"},
    )
    assert response.status_code == 200 and b"password is not correct" in response.content
    assert not ApiToken.objects.exists()


def test_i_can_revoke_my_token_but_not_someone_elses(web, users):
    mine, _ = services.create_api_token(
        user=users["bank_officer"], name="mine", days=5, by=users["bank_officer"]
    )
    theirs, _ = services.create_api_token(
        user=users["other_bank_officer"], name="theirs", days=5, by=users["other_bank_officer"]
    )
    web.force_login(users["bank_officer"])

    page = reverse("accounts:tokens")
    post_form(web, reverse("accounts:revoke_token", args=[theirs.pk]), {}, page=page)
    post_form(web, reverse("accounts:revoke_token", args=[mine.pk]), {}, page=page)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert "theirs" not in web.get(reverse("accounts:tokens")).content.decode()


def test_the_token_pages_refuse_a_post_without_the_csrf_token(web, users):
    web.force_login(users["bank_officer"])
    response = web.post(reverse("accounts:tokens"), {"name": "x", "days": 5, "password": PASSWORD})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
