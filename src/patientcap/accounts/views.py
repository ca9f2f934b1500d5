"""Account pages: my organisation, my profile (password change) and my API tokens, plus the
page shown when too many failed log-ins locked an account."""

import math
from typing import Any

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping, services
from patientcap.accounts.forms import ApiTokenForm
from patientcap.accounts.models import ApiToken, Organisation, User


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    org = None
    members = User.objects.none()
    if user.organisation_id:
        org = scoping.get_readable(user, Organisation, pk=user.organisation_id)
        members = (
            scoping.readable(user, User).filter(organisation=org).order_by("-is_active", "username")
        )
    return render(request, "accounts/organisation.html", {"organisation": org, "members": members})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=form.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            # Keep this session; every other session of the user stops being valid.
            update_session_auth_hash(request, form.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            row, secret = services.create_api_token(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The token exists only in this response: no redirect, no caching.
            response = render(
                request, "accounts/token_created.html", {"token": row, "secret": secret}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/tokens.html", {"form": form, "tokens": _own_tokens(request)})


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_tokens(request).filter(pk=pk).first()
    if token is None:
        messages.error(request, _("No such token."))
    else:
        try:
            services.revoke_api_token(token=token, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


def _own_tokens(request: HttpRequest) -> Any:
    # Readable, not writable: revoking one's own credential only takes access away, so
    # read-only roles (auditors) may do it too. The filter keeps a superuser's page to their own.
    user: Any = request.user
    return scoping.readable(user, ApiToken).filter(user_id=user.pk)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response: 429 with Retry-After (integrity reference §12)."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request, "accounts/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
