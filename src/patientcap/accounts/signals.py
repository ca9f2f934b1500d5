"""Sign-in events: audited, and tracked per session so that a user's sessions can be ended.

Login, logout and failed logins go to the audit trail (ASVS V16, MLPS 安全审计: who, when, what,
success or failure). The moment of login is kept in the session for the absolute lifetime check
(middleware.py); deactivating a user ends all their sessions at once.
"""

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from patientcap.accounts.models import User, UserSession
from patientcap.accounts.services import end_sessions
from patientcap.audit.services import record

LOGIN_AT = "patientcap_login_at"  # session key: Unix time of the login
LOGOUT_REASON = "patientcap_logout_reason"  # request attribute set by whoever ends a session


def _ip(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    request.session[LOGIN_AT] = int(time.time())
    key = request.session.session_key
    with transaction.atomic():
        if key:
            # Rows of sessions that can no longer be alive are pruned here, not by a job.
            oldest = timezone.now() - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE)
            UserSession.objects.filter(created_at__lt=oldest).delete()
            UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
        record(
            actor=user,
            action="user.login",
            object_type="user",
            object_id=user.pk,
            after={"ip": _ip(request)},
        )


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        if key := request.session.session_key:
            UserSession.objects.filter(session_key=key).delete()
        record(
            actor=user,
            action="user.logout",
            object_type="user",
            object_id=user.pk,
            after={"ip": _ip(request), "reason": getattr(request, LOGOUT_REASON, "user")},
        )


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The actor is anonymous: nobody is authenticated. The attempted name is kept, the password
    # never is (Django has already masked it in `credentials`).
    with transaction.atomic():
        record(
            actor=AnonymousUser(),
            action="user.login_failed",
            object_type="user",
            object_id=str(credentials.get("username", ""))[:100],
            after={
                "ip": _ip(request),
                "locked_out": bool(getattr(request, "axes_locked_out", False)),
            },
        )


@receiver(post_save, sender=User)
def end_sessions_of_inactive_user(
    sender: Any, instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    if not instance.is_active and (update_fields is None or "is_active" in update_fields):
        end_sessions(instance)
