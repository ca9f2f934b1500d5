"""Who may read and change invest-first rows (registered with `accounts.scoping`).

- Zone staff (zone officer, reviewer) and auditors read every project and everything attached
  to it; zone staff change them (the auditor never changes anything).
- An enterprise user reads and changes the projects of their own enterprise only (applying,
  uploading milestone evidence).
- Banks, guarantors and service agents see nothing here: matched credit shows a bank the
  diligence package of a firm that shared its data, through its own app.
Every other row follows its project.
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.investments.models import (
    Agreement,
    Conversion,
    Decision,
    DiligenceReview,
    Evidence,
    Exit,
    Milestone,
    Project,
    Review,
    Tranche,
    Verdict,
    WriteOff,
)

READ_ALL_ROLES = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}
ZONE_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}


def project_read(user: Any) -> Q:
    if user.role in READ_ALL_ROLES:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return NOTHING


def project_write(user: Any) -> Q:
    if user.role in ZONE_STAFF:
        return ALL
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return NOTHING


def _through(path: str, rule: Any) -> Any:
    """The rule for rows reached from a project through `path` (e.g. "agreement__project")."""

    def scoped(user: Any) -> Q:
        q = rule(user)
        if q in (ALL, NOTHING):
            return q
        return Q(**{f"{path}__enterprise__organisation_id": user.organisation_id})

    return scoped


def register() -> None:
    scoping.register(Project, read=project_read, write=project_write)
    for model, path in (
        (Review, "project"),
        (Decision, "project"),
        (Agreement, "project"),
        (Conversion, "project"),
        (DiligenceReview, "project"),
        (WriteOff, "project"),
        (Exit, "project"),
        (Tranche, "agreement__project"),
        (Milestone, "agreement__project"),
        (Evidence, "milestone__agreement__project"),
        (Verdict, "milestone__agreement__project"),
    ):
        scoping.register(
            model, read=_through(path, project_read), write=_through(path, project_write)
        )
