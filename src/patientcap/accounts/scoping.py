"""The one place that decides which rows a user may read and which they may change.

Each model that holds organisation data registers a *scope rule*: a function from the user to a
`Q` filter (or `ALL` / `NOTHING`). Views, API endpoints, selectors and exports obtain their
querysets only through `readable()` and `writable()`, so a bank officer's queryset can only ever
contain that bank's rows. Unregistered models are refused, never shown unfiltered.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

M = TypeVar("M", bound=models.Model)

ALL = Q()
NOTHING = Q(pk__in=[])

Rule = Callable[[Any], Q]


@dataclass(frozen=True)
class ScopeRule:
    read: Rule
    write: Rule


_RULES: dict[type[models.Model], ScopeRule] = {}


def register(model: type[models.Model], *, read: Rule, write: Rule) -> None:
    """Declare how `model` is scoped. Called once per model, from its app's `scopes.py`."""
    _RULES[model] = ScopeRule(read=read, write=write)


def _rule(model: type[models.Model]) -> ScopeRule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} has no scope rule; register one in its scopes.py"
        ) from None


def _base(user: Any) -> Q | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return ALL
    if user.organisation_id is None or not user.role:
        return NOTHING
    return None


def readable(user: Any, model: type[M]) -> "models.QuerySet[M]":
    """The rows of `model` that `user` may see."""
    q = _base(user)
    if q is None:
        q = _rule(model).read(user)
    return model._default_manager.filter(q)


def writable(user: Any, model: type[M]) -> "models.QuerySet[M]":
    """The rows of `model` that `user` may change (auditors: none, ever)."""
    q = _base(user)
    if q is None:
        q = NOTHING if user.is_read_only else _rule(model).write(user)
    return model._default_manager.filter(q)


def get_readable(user: Any, model: type[M], **lookup: Any) -> M:
    """One readable row, or 404. "Not yours" and "does not exist" look the same on purpose."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(readable(user, model), **lookup)


def get_writable(user: Any, model: type[M], **lookup: Any) -> M:
    """One row the user may change; 404 if they cannot even see it, 403 if they only see it."""
    obj = get_readable(user, model, **lookup)
    if not writable(user, model).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def registered_models() -> list[type[models.Model]]:
    return list(_RULES)
