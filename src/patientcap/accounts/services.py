"""Write use cases for organisations, users, sessions and API tokens. Each change is audited in
the transaction that makes it; secrets (passwords, tokens) never reach the audit trail."""

import datetime as dt
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patientcap.accounts.models import ApiToken, Organisation, User, UserSession
from patientcap.audit.services import record

TOKEN_MAX_DAYS = 365
TOKEN_SCHEME = "pct"  # tokens look like pct_<prefix>_<secret>; the prefix is public


def create_organisation(*, name: str, type: str, by: Any) -> Organisation:
    """Register an organisation of the network (an operator or demo path)."""
    org = Organisation(name=name.strip(), type=type)
    org.full_clean()
    with transaction.atomic():
        org.save()
        record(
            actor=by,
            action="organisation.create",
            object_type="organisation",
            object_id=org.pk,
            after={"name": org.name, "type": org.type},
        )
    return org


def create_user(
    *,
    username: str,
    password: str,
    organisation: Organisation | None,
    role: str,
    by: Any,
    **profile: str,
) -> User:
    """Create a user; refuses a role the organisation's type cannot hold and a weak password."""
    user = User(username=username, organisation=organisation, role=role, **profile)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        record(
            actor=by,
            action="user.create",
            object_type="user",
            object_id=user.pk,
            after=_user_facts(user),
        )
    return user


def set_active(*, user: User, active: bool, by: Any) -> User:
    """Activate or deactivate a user. Deactivation ends every session of the user at once (the
    post-save signal) and the user's API tokens stop working (checked on every request)."""
    with transaction.atomic():
        before = _user_facts(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            actor=by,
            action="user.activate" if active else "user.deactivate",
            object_type="user",
            object_id=user.pk,
            before=before,
            after=_user_facts(user),
        )
    return user


def change_password(*, user: User, new_password: str) -> None:
    """Set a new password (the caller has checked the old one). Other sessions of the user stop
    being valid because the session hash derives from the password hash."""
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(actor=user, action="user.password_change", object_type="user", object_id=user.pk)


def end_sessions(user: User) -> int:
    """End every signed-in session of `user` on whatever session engine is configured."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def create_api_token(*, user: User, name: str, days: int, by: Any) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the row and the token itself, which exists only in this
    return value: show it once, it cannot be recovered later."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the system that will use it.")
    if not 1 <= days <= TOKEN_MAX_DAYS:
        errors["days"] = _("A token is valid for 1 to %(max)d days.") % {"max": TOKEN_MAX_DAYS}
    if not user.is_active:
        errors["user"] = _("An inactive user cannot have API tokens.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        prefix = _unused_prefix()
        token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"  # 256 random bits
        row = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            secret_hash=ApiToken.digest(token),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor=by,
            action="api_token.create",
            object_type="api_token",
            object_id=row.pk,
            after={
                "user": user.username,
                "name": row.name,
                "prefix": prefix,
                "expires_at": row.expires_at,
            },
        )
    return row, token


def revoke_api_token(*, token: ApiToken, by: Any) -> ApiToken:
    """Stop a token from working; revoking twice is refused so the trail stays unambiguous."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=by,
            action="api_token.revoke",
            object_type="api_token",
            object_id=token.pk,
            after={"user_id": token.user_id, "prefix": token.prefix},
        )
    return token


def _unused_prefix() -> str:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def _user_facts(user: User) -> dict:
    return {
        "username": user.username,
        "organisation_id": user.organisation_id,
        "role": user.role,
        "is_active": user.is_active,
    }
