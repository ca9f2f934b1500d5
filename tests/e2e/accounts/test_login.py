"""Logging in and out over HTTP: throttling, session rotation, idle and absolute timeouts,
deactivation, and the audit trail of sign-in events."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from tests.e2e.accounts.conftest import post_form
from tests.support import PASSWORD

from patientcap.accounts import services
from patientcap.accounts.signals import LOGIN_AT
from patientcap.audit.models import AuditEntry

LOGIN = reverse("accounts:login")


def log_in(client, username, password=PASSWORD):
    return post_form(client, LOGIN, {"username": username, "password": password})


def session_of(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_logging_in_starts_a_new_session_and_is_audited(web, users):
    anonymous = web.session
    anonymous["seen"] = True
    anonymous.save()
    web.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key

    response = log_in(web, "bank_a_officer")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert web.cookies[settings.SESSION_COOKIE_NAME].value != anonymous.session_key
    assert not Session.objects.filter(session_key=anonymous.session_key).exists()
    entry = AuditEntry.objects.get(action="user.login")
    assert entry.actor == users["bank_officer"] and entry.after["ip"] == "127.0.0.1"


def test_logging_out_is_audited_and_ends_the_session(web, users):
    log_in(web, "bank_a_officer")
    key = web.cookies[settings.SESSION_COOKIE_NAME].value
    response = post_form(web, reverse("accounts:logout"), {})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    entry = AuditEntry.objects.get(action="user.logout")
    assert entry.actor == users["bank_officer"] and entry.after["reason"] == "user"


def test_five_failed_logins_lock_the_account_from_that_address_with_a_429(web, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(web, "bank_a_officer", "wrong-password")
        assert response.status_code == 200
        assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content

    locked = log_in(web, "bank_a_officer", "wrong-password")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert b"Too many failed log-in attempts" in locked.content
    assert b"15 minutes" in locked.content

    # Even the right password is refused while the lock lasts.
    assert log_in(web, "bank_a_officer").status_code == 429
    assert "_auth_user_id" not in web.session

    failures = AuditEntry.objects.filter(action="user.login_failed", object_id="bank_a_officer")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failures.first().actor_name == "anonymous"
    assert failures.first().after["locked_out"] is True
    assert "wrong-password" not in "".join(failures.values_list("after_json", flat=True))


def test_a_lock_holds_one_account_and_address_not_the_others(web, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(web, "bank_a_officer", "wrong-password")
    assert log_in(web, "bank_b_officer").status_code == 302


def test_an_idle_session_expires_and_every_request_pushes_the_expiry_forward(web, users):
    log_in(web, "bank_a_officer")
    session = session_of(web)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(seconds=60)
    )
    assert web.get(reverse("home")).status_code == 200
    pushed = session_of(web).expire_date - timezone.now()
    assert pushed > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(1))
    response = web.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_ends_at_its_absolute_lifetime_however_active(web, users):
    log_in(web, "bank_a_officer")
    session = web.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()

    response = web.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    entry = AuditEntry.objects.get(action="user.logout")
    assert entry.after["reason"] == "session lifetime"
    assert web.get(reverse("home")).status_code == 302  # and it stays ended


def test_a_deactivated_users_open_session_ends_at_once(web, users):
    log_in(web, "bank_a_officer")
    assert web.get(reverse("home")).status_code == 200
    key = session_of(web).session_key
    services.set_active(user=users["bank_officer"], active=False, by=users["zone_officer"])
    assert not Session.objects.filter(session_key=key).exists()  # ended, not merely refused
    response = web.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("username", ["bank_a_officer", "nobody_at_all"])
def test_the_login_page_does_not_tell_which_part_was_wrong(web, users, username):
    response = log_in(web, username, "wrong-password")
    assert response.status_code == 200
    assert b"username and password didn" in response.content
