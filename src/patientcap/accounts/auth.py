"""How API requests authenticate: a bearer token (machine clients) or the browser session.

`api_auth` is the global auth of the one NinjaAPI, so every endpoint needs one of them and
`request.auth` is the acting User either way. Session requests keep ninja's CSRF check on unsafe
methods; bearer requests carry no cookie and so are not exposed to CSRF.
"""

import datetime as dt
import hmac
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from patientcap.accounts.models import ApiToken, User
from patientcap.accounts.services import TOKEN_SCHEME

# last_used_at is a hint for the token's owner, not an access log: writing it at most once a
# minute keeps a busy client from turning every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_for_token(token: str) -> User | None:
    """The active user behind an active token, or None."""
    scheme, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not prefix or not secret:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.secret_hash, ApiToken.digest(token)):
        return None
    now = timezone.now()
    if not row.is_usable(now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            # A wrong, expired or revoked token is a 401 at once, never a fall-back to a session
            # cookie that happens to travel with the request.
            raise AuthenticationError
        request.user = user
        return user


api_auth = [ApiTokenAuth(), django_auth]


def api_user(request: HttpRequest) -> Any:
    """The acting User of an API request (`request.auth`), for handlers and type checkers."""
    return request.auth  # type: ignore[attr-defined]
