"""Who may read and change registry rows (registered with `accounts.scoping`).

- Zone staff (zone officer, reviewer) and auditors read every enterprise; only the zone officer
  changes them and registers new ones.
- An enterprise user reads and changes only the enterprise whose login organisation is theirs.
- A service agent reads the enterprises assigned to them today ([since, until)).
- Bank and guarantor officers read the enterprises that granted their organisation access and
  have not revoked it (consent-based sharing, PIPL); they change nothing here.
Certifications and yearly figures follow their enterprise.
"""

from typing import Any

from django.db.models import Model, Q
from django.utils import timezone

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.enterprises.models import (
    Certification,
    Enterprise,
    EnterpriseAccessGrant,
    FinancialYear,
    Headcount,
    IntellectualProperty,
    ServiceAssignment,
    Team,
)

READ_ALL_ROLES = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def active_assignments(user: Any) -> Q:
    today = timezone.localdate()
    return Q(agent=user, since__lte=today) & (Q(until__isnull=True) | Q(until__gt=today))


def enterprise_read(user: Any) -> Q:
    if user.role in READ_ALL_ROLES:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(organisation_id=user.organisation_id)
    if user.role == Role.SERVICE_AGENT:
        assigned = ServiceAssignment.objects.filter(active_assignments(user))
        return Q(pk__in=assigned.values("enterprise_id"))
    if user.role in {Role.BANK_OFFICER, Role.GUARANTOR_OFFICER}:
        granted = EnterpriseAccessGrant.objects.filter(
            organisation_id=user.organisation_id, revoked_at__isnull=True
        )
        return Q(pk__in=granted.values("enterprise_id"))
    return NOTHING


def enterprise_write(user: Any) -> Q:
    if user.role == Role.ZONE_OFFICER:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(organisation_id=user.organisation_id)
    return NOTHING


def _through_enterprise(rule: Any) -> Any:
    """A rule for a model with an `enterprise` foreign key: the rows of the enterprises that
    `rule` allows."""

    def scoped(user: Any) -> Q:
        q = rule(user)
        if q in (ALL, NOTHING):
            return q
        return Q(enterprise__in=Enterprise.objects.filter(q).values("pk"))

    return scoped


def assignment_read(user: Any) -> Q:
    if user.role in READ_ALL_ROLES:
        return ALL
    if user.role == Role.SERVICE_AGENT:
        return Q(agent=user)
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return NOTHING


def assignment_write(user: Any) -> Q:
    return ALL if user.role == Role.ZONE_OFFICER else NOTHING


def grant_read(user: Any) -> Q:
    if user.role in READ_ALL_ROLES:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    if user.role in {Role.BANK_OFFICER, Role.GUARANTOR_OFFICER}:
        return Q(organisation_id=user.organisation_id)
    return NOTHING


def grant_write(user: Any) -> Q:
    if user.role == Role.ZONE_OFFICER:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return NOTHING


def acts_for_zone(user: Any) -> bool:
    """Registering enterprises, linking their logins and assigning service agents are the zone
    officer's job (and the superuser's)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == Role.ZONE_OFFICER)


def sees_personal_data(user: Any, enterprise: Enterprise) -> bool:
    """Whether `user` may read the personal data on a profile (the legal representative's name)
    in full: zone staff and the enterprise's own users; everyone else sees it masked."""
    if user.is_superuser or user.role in {Role.ZONE_OFFICER, Role.REVIEWER}:
        return True
    return bool(
        user.role == Role.ENTERPRISE_USER
        and enterprise.organisation_id is not None
        and enterprise.organisation_id == user.organisation_id
    )


def register() -> None:
    scoping.register(Enterprise, read=enterprise_read, write=enterprise_write)
    related: list[type[Model]] = [
        Certification,
        FinancialYear,
        Headcount,
        IntellectualProperty,
        Team,
    ]
    for model in related:
        scoping.register(
            model,
            read=_through_enterprise(enterprise_read),
            write=_through_enterprise(enterprise_write),
        )
    scoping.register(ServiceAssignment, read=assignment_read, write=assignment_write)
    scoping.register(EnterpriseAccessGrant, read=grant_read, write=grant_write)
