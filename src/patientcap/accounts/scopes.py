"""Scope rules for organisations and users (integrity reference §9).

Zone staff and auditors see every organisation and user of the network; everyone else sees their
own organisation and its people. Only zone officers maintain organisations; a user changes only
their own account (administrators act through the superuser, whom `scoping` lets through).
API tokens are private to their owner: not even the owner's organisation sees them.
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import ApiToken, Organisation, Role, User


def _sees_network(user: Any) -> bool:
    return user.is_zone_staff or user.role == Role.AUDITOR


scoping.register(
    Organisation,
    read=lambda u: scoping.ALL if _sees_network(u) else Q(pk=u.organisation_id),
    write=lambda u: scoping.ALL if u.role == Role.ZONE_OFFICER else scoping.NOTHING,
)
scoping.register(
    User,
    read=lambda u: scoping.ALL if _sees_network(u) else Q(organisation_id=u.organisation_id),
    write=lambda u: Q(pk=u.pk),
)
scoping.register(
    ApiToken,
    read=lambda u: Q(user_id=u.pk),
    write=lambda u: Q(user_id=u.pk),
)
