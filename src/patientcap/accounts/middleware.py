"""Absolute session lifetime (ASVS 7.3.2): a session ends SESSION_ABSOLUTE_AGE seconds after
login however active it is. The idle timeout is Django's own: SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST, so each request pushes the expiry forward."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from patientcap.accounts.signals import LOGIN_AT, LOGOUT_REASON


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_AT)
            # A session without a login time predates this check: treat it as too old.
            if login_at is None or time.time() - login_at > settings.SESSION_ABSOLUTE_AGE:
                setattr(request, LOGOUT_REASON, "session lifetime")
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
        return self.get_response(request)
